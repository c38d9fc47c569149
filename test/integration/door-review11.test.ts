import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertList, type Alert } from '../../shared/protocol/alert.js';
import { postEvents, randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { authHeaders, Desktops, until } from './sync-helpers.js';

/**
 * Review of issue 11 against a real collector process: far-future sender times at the alert
 * doors (3), routing-key scoping (5), the eval-suite cap (6), /v1/stats lastEventTs (11).
 */

const KEY_A = 'routing-key-a-for-tests-0123456789';
const KEY_B = 'routing-key-b-for-tests-0123456789';

let c: CollectorHandle;
const desktops = new Desktops();
beforeAll(async () => {
  c = await startCollector({
    token: randomToken(),
    configYaml: ['integrations:', '  eventsV2:', `    routingKeys: ["${KEY_A}", "${KEY_B}"]`, ''].join('\n'),
  });
});
afterAll(async () => {
  desktops.disposeAll();
  await c.stop();
});

async function post(
  path: string,
  body: unknown,
  auth = true,
): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const t0 = performance.now();
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? authHeaders(c) : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, ms: performance.now() - t0 };
}

/** Every alert, validated with the desktop's own schema (GET /v1/alerts is what a snapshot carries). */
async function alerts(): Promise<Alert[]> {
  const res = await fetch(`${c.url}/v1/alerts`, { headers: authHeaders(c) });
  return AlertList.parse(await res.json()).alerts;
}

const ev2 = (routingKey: string, action: string, dedupKey: string, timestamp?: string): Record<string, unknown> => ({
  routing_key: routingKey,
  event_action: action,
  dedup_key: dedupKey,
  ...(action === 'trigger'
    ? {
        payload: {
          summary: `${dedupKey} via ${routingKey.slice(0, 15)}`,
          source: 'src',
          severity: 'critical',
          timestamp,
        },
      }
    : {}),
});

describe('finding 3: far-future sender times at the alert doors', () => {
  it('are stored as the collector clock; the alerts pass the Alert schema and a desktop still syncs', async () => {
    const before = Date.now();
    const far = await post(
      '/v1/integrations/events-v2',
      ev2(KEY_A, 'trigger', 'far-future', '+275760-09-13T00:00:00Z'),
      false,
    );
    expect(far.status).toBe(202);
    const am = await post('/v1/integrations/alertmanager', {
      version: '4',
      groupKey: '{}:{alertname="Far"}',
      status: 'firing',
      receiver: 'vigil',
      groupLabels: { alertname: 'Far' },
      commonLabels: { alertname: 'Far' },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Far', severity: 'critical' },
          annotations: { summary: 'dated in the year 20000' },
          // "20000-01-01T00:00:00Z" is NaN to Date.parse (a 400 already); the date-only form parses to year 20000.
          startsAt: '20000-01-01',
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'farfuture0001',
        },
      ],
    });
    expect(am.status).toBe(200);
    const after = Date.now();
    const list = await alerts(); // AlertList.parse: throws on "+275760-…"
    const mine = list.filter((a) => a.labels.dedup_key === 'far-future' || a.labels.fingerprint === 'farfuture0001');
    expect(mine).toHaveLength(2);
    for (const a of mine) {
      const fired = Date.parse(a.firedAt);
      expect(fired).toBeGreaterThanOrEqual(before - 1000);
      expect(fired).toBeLessThanOrEqual(after + 1000);
    }
    // A real desktop replica (SyncClient + SQLite cache) takes the snapshot with both alerts…
    const app = desktops.open(c, 'alice');
    await until(() => mine.every((m) => app.cache.listAlerts().some((a) => a.id === m.id)), 20_000, 'desktop snapshot');
    // …and keeps following live changes afterwards.
    const later = await post('/v1/integrations/events-v2', ev2(KEY_A, 'trigger', 'after-far-future'), false);
    expect(later.status).toBe(202);
    await until(
      () => app.cache.listAlerts().some((a) => a.labels.dedup_key === 'after-far-future'),
      20_000,
      'live alert after the far-future ones',
    );
  });
});

describe('finding 5: Events-v2 routing keys are scoped', () => {
  it('a sender with key A cannot ack or resolve an alert triggered under key B; its own trigger is its own alert', async () => {
    expect((await post('/v1/integrations/events-v2', ev2(KEY_B, 'trigger', 'shared-dedup'), false)).status).toBe(202);
    const byB = (await alerts()).filter((a) => a.labels.dedup_key === 'shared-dedup');
    expect(byB).toHaveLength(1);
    const idB = byB[0]?.id;

    // A acks and resolves "the same" dedup_key: accepted (PagerDuty answers unknown keys 202), no effect on B's page.
    expect((await post('/v1/integrations/events-v2', ev2(KEY_A, 'acknowledge', 'shared-dedup'), false)).status).toBe(
      202,
    );
    expect((await post('/v1/integrations/events-v2', ev2(KEY_A, 'resolve', 'shared-dedup'), false)).status).toBe(202);
    expect((await alerts()).find((a) => a.id === idB)?.status).toBe('firing');

    // A's trigger with that dedup_key is not swallowed as a duplicate of B's.
    expect((await post('/v1/integrations/events-v2', ev2(KEY_A, 'trigger', 'shared-dedup'), false)).status).toBe(202);
    const both = (await alerts()).filter((a) => a.labels.dedup_key === 'shared-dedup');
    expect(both).toHaveLength(2);
    const idA = both.find((a) => a.id !== idB)?.id;

    // Each sender resolves its own.
    expect((await post('/v1/integrations/events-v2', ev2(KEY_B, 'resolve', 'shared-dedup'), false)).status).toBe(202);
    let now = await alerts();
    expect(now.find((a) => a.id === idB)?.status).toBe('resolved');
    expect(now.find((a) => a.id === idA)?.status).toBe('firing');
    expect((await post('/v1/integrations/events-v2', ev2(KEY_A, 'resolve', 'shared-dedup'), false)).status).toBe(202);
    now = await alerts();
    expect(now.find((a) => a.id === idA)?.status).toBe('resolved');
  });
});

describe('finding 6: eval suites are capped (evals.maxSuites, default 500)', () => {
  it('a batch of 10,000 distinct suites is answered quickly with a 400 naming the first suite past the cap', async () => {
    const ts = Date.now() - 60_000;
    const runs = Array.from({ length: 10_000 }, (_, i) => ({ suite: `suite-${i}`, ts, accuracy: 0.9 }));
    const r = await post('/v1/evals', runs);
    console.log(`10,000 distinct suites: ${r.status} in ${Math.round(r.ms)} ms`);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_field', field: '[500].suite' });
    expect(String((r.body.error as { message: string }).message)).toContain('evals.maxSuites');
    expect(r.ms).toBeLessThan(5_000); // generous on a shared machine; before the fix it was O(n²) in the rule
    // Up to the cap is fine, and nothing of the refused batch was stored.
    const ok = await post('/v1/evals', runs.slice(0, 500));
    console.log(`500 distinct suites: ${ok.status} in ${Math.round(ok.ms)} ms`);
    expect(ok).toMatchObject({ status: 200, body: { accepted: 500 } });
    const one = await post('/v1/evals', { suite: 'suite-new', ts, accuracy: 0.9 });
    expect(one.status).toBe(400);
    expect(one.body.error).toMatchObject({ field: 'suite' });
    expect((await post('/v1/evals', { suite: 'suite-7', ts: ts + 1000, accuracy: 0.8 })).status).toBe(200);
  });
});

describe('finding 11: /v1/stats lastEventTs', () => {
  it('never exceeds the collector clock, even with an event stored within the allowed skew ahead', async () => {
    const ahead = Date.now() + 2 * 60_000; // inside the default 5 min ingest.maxFutureSkew: stored
    const res = await postEvents(c.url, c.token, [
      {
        ts: ahead,
        service: 'svc',
        provider: 'openai',
        model: 'gpt-4o',
        latency_ms: 10,
        input_tokens: 1,
        output_tokens: 1,
        status: 'ok',
      },
    ]);
    expect(res.status).toBeLessThan(300);
    const statsRes = await fetch(`${c.url}/v1/stats`, { headers: authHeaders(c) });
    const stats = (await statsRes.json()) as { lastEventTs: number | null };
    expect(stats.lastEventTs).not.toBeNull();
    expect(stats.lastEventTs ?? Infinity).toBeLessThanOrEqual(Date.now());
    expect(stats.lastEventTs ?? 0).toBeLessThan(ahead);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/protocol/alert.js';
import { TRUNCATION_MARKER } from '../../shared/protocol/bounded-text.js';
import { randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/**
 * Issue 11: label and annotation sizes are bounded at every door (Alertmanager alerts of 9 MB each
 * made a snapshot frame larger than the desktop accepts). Free text is cut with a marker, never
 * costing the page; identities and counts over their bound are a 400 naming the field.
 */
let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({ token: randomToken() });
});
afterAll(async () => {
  await c.stop();
});

async function post(
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown>; bytes: number }> {
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown>, bytes: text.length };
}

async function alerts(): Promise<Alert[]> {
  const res = await fetch(`${c.url}/v1/alerts`, { headers: { authorization: `Bearer ${c.token}` } });
  return ((await res.json()) as { alerts: Alert[] }).alerts;
}

function webhook(alertsIn: Record<string, unknown>[]): Record<string, unknown> {
  return { version: '4', groupKey: '{}', status: 'firing', receiver: 'vigil', alerts: alertsIn };
}

function amAlert(fingerprint: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    status: 'firing',
    labels: { alertname: `Bounds-${fingerprint}`, severity: 'critical' },
    annotations: {},
    startsAt: '2026-01-01T00:00:00Z',
    fingerprint,
    ...over,
  };
}

const cut = (s: string | undefined, max: number): void => {
  expect(s).toBeDefined();
  expect((s as string).length).toBeLessThanOrEqual(max);
  expect((s as string).endsWith(TRUNCATION_MARKER)).toBe(true);
};

describe('Alertmanager door', () => {
  it('a 9 MB alert still pages, with its description and label values cut (marked) to their bounds', async () => {
    const huge = 'd'.repeat(4_500_000);
    const r = await post(
      '/v1/integrations/alertmanager',
      webhook([
        amAlert('big-1', {
          labels: { alertname: 'Huge', severity: 'critical', blob: 'v'.repeat(4_500_000) },
          annotations: { description: huge },
        }),
      ]),
    );
    expect(r).toMatchObject({ status: 200, body: { fired: 1 } });
    const a = (await alerts()).find((x) => x.labels.fingerprint === 'big-1');
    expect(a).toMatchObject({ tier: 'page', ruleId: 'am:Huge', status: 'firing' });
    cut(a?.summary, 1024);
    cut(a?.labels.blob, 1024);
    expect(JSON.stringify(a).length).toBeLessThan(4 * 1024);
  });

  it('the largest alert the door admits stays small: 128 labels of 60 KB each', async () => {
    const labels: Record<string, string> = { alertname: 'Wide', severity: 'warning' };
    for (let i = 0; i < 126; i++) labels[`l${i}`] = 'x'.repeat(60_000);
    const r = await post(
      '/v1/integrations/alertmanager',
      webhook([
        amAlert('wide-1', {
          labels,
          generatorURL: `https://prom.example.com/graph?g0.expr=${'u'.repeat(100_000)}`,
          annotations: { runbook_url: `https://wiki.example.com/${'r'.repeat(100_000)}` },
        }),
      ]),
    );
    expect(r).toMatchObject({ status: 200, body: { fired: 1 } });
    const a = (await alerts()).find((x) => x.labels.fingerprint === 'wide-1');
    expect(a?.tier).toBe('ticket');
    cut(a?.labels.l0, 1024);
    cut(a?.labels.generator_url, 2048);
    cut(a?.labels.runbook_url, 2048);
    const size = JSON.stringify(a).length;
    console.log(`[door] largest admitted Alertmanager alert (7.7 MB sent): ${(size / 1024).toFixed(0)} KB stored`);
    expect(size).toBeLessThan(200 * 1024);
  });

  it('rejects counts and label names over their bounds with a 400 naming the field', async () => {
    const many: Record<string, string> = { alertname: 'Many' };
    for (let i = 0; i < 128; i++) many[`l${i}`] = 'v';
    const tooMany = await post('/v1/integrations/alertmanager', webhook([amAlert('many', { labels: many })]));
    expect(tooMany).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_field', field: 'alerts[0].labels' } },
    });
    expect(JSON.stringify(tooMany.body)).toContain('at most 128 labels');

    const annotations: Record<string, string> = {};
    for (let i = 0; i < 129; i++) annotations[`a${i}`] = 'v';
    expect(
      (await post('/v1/integrations/alertmanager', webhook([amAlert('ann', { annotations })]))).body,
    ).toMatchObject({ error: { field: 'alerts[0].annotations' } });

    const longName = await post(
      '/v1/integrations/alertmanager',
      webhook([amAlert('name', { labels: { alertname: 'N', ['k'.repeat(300)]: 'v' } })]),
    );
    expect(longName).toMatchObject({ status: 400, body: { error: { field: 'alerts[0].labels' } } });

    const alertsIn = Array.from({ length: 10_001 }, (_, i) => amAlert(`n${i}`));
    expect((await post('/v1/integrations/alertmanager', webhook(alertsIn))).body).toMatchObject({
      error: { code: 'invalid_field', field: 'alerts' },
    });

    expect((await post('/v1/integrations/alertmanager', webhook([amAlert('f'.repeat(201))]))).body).toMatchObject({
      error: { field: 'alerts[0].fingerprint' },
    });
  });

  it('a 400 about a huge label name does not echo it back in full', async () => {
    const r = await post(
      '/v1/integrations/alertmanager',
      webhook([amAlert('echo', { labels: { alertname: 'E', ['k'.repeat(1_000_000)]: 5 } })]),
    );
    expect(r.status).toBe(400);
    expect(r.bytes).toBeLessThan(2_000);
  });
});

describe('Events-v2 door', () => {
  const trigger = (payload: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, unknown> => ({
    routing_key: 'x',
    event_action: 'trigger',
    payload: { summary: 's', source: 'bounds', severity: 'critical', ...payload },
    ...over,
  });
  const byKey = async (key: unknown): Promise<Alert | undefined> =>
    (await alerts()).find((a) => a.labels.dedup_key === key);

  it('a long summary, details, client and link are cut (marked); the page fires', async () => {
    const r = await post(
      '/v1/integrations/events-v2',
      trigger(
        { summary: 'S'.repeat(100_000), custom_details: { log: 'L'.repeat(300_000) } },
        {
          client: 'C'.repeat(10_000),
          client_url: `https://c.example.com/${'c'.repeat(10_000)}`,
          links: [{ href: `https://l.example.com/${'h'.repeat(10_000)}`, text: 'T'.repeat(10_000) }],
        },
      ),
    );
    expect(r.status).toBe(202);
    const a = await byKey(r.body.dedup_key);
    expect(a).toMatchObject({ tier: 'page', status: 'firing' });
    cut(a?.summary, 1024);
    cut(a?.labels.custom_details, 2000);
    cut(a?.labels.client, 1024);
    cut(a?.labels.client_url, 2048);
    cut(a?.labels.link, 2048);
    expect(JSON.stringify(a).length).toBeLessThan(10 * 1024);
  });

  it('custom_details nested too deeply for JSON.stringify still pages (no 500)', async () => {
    const depth = 200_000;
    const body = JSON.stringify(trigger({ summary: 'deep' })).replace(
      '"summary":"deep"',
      `"summary":"deep","custom_details":${'['.repeat(depth)}${']'.repeat(depth)}`,
    );
    const r = await post('/v1/integrations/events-v2', body);
    expect(r.status).toBe(202);
    const a = await byKey(r.body.dedup_key);
    expect(a?.labels.custom_details).toContain(TRUNCATION_MARKER);
  });

  it('identities over their bound are 400 naming the field; the body is at most 512 KB', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [trigger({}, { dedup_key: 'k'.repeat(256) }), 'dedup_key'],
      [trigger({}, { routing_key: 'r'.repeat(201) }), 'routing_key'],
      [trigger({ source: 's'.repeat(1025) }), 'payload.source'],
      [trigger({ component: 'c'.repeat(1025) }), 'payload.component'],
      [trigger({ class: 'c'.repeat(1025) }), 'payload.class'],
      [trigger({ group: 'g'.repeat(1025) }), 'payload.group'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/v1/integrations/events-v2', body);
      expect(r.status, field).toBe(400);
      expect(
        (r.body.errors as string[]).some((e) => e.startsWith(`${field}:`)),
        field,
      ).toBe(true);
    }
    const big = await post('/v1/integrations/events-v2', trigger({ custom_details: 'x'.repeat(600 * 1024) }));
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS, minuteFloor, toIso } from '../../shared/clock.js';
import { AlertList, type Alert } from '../../shared/protocol/index.js';
import { connectStream, errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { plantFutureRows } from '../fixtures/future-rows.js';

/**
 * Issue 11 "Time" and numeric bounds against the REAL collector process: a far-future event
 * (ISO year 9999, epoch microseconds, a day ahead) is a quick 400 naming `ts` while /healthz
 * stays up; OTLP spans and eval runs are held to the same clock; numbers are bounded; a restart
 * on a data dir whose database already holds far-future rows (as an older version stored them)
 * comes up at once, and a real outage afterwards still pages; snoozes are bounded.
 */

const key = { service: 'checkout', provider: 'openai', model: 'gpt-4o' };
const ok = { ...key, latency_ms: 100, input_tokens: 10, output_tokens: 10, status: 'ok' as const };

describe('event time and numbers at every door (real collector)', () => {
  let c: CollectorHandle;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${c.token}` });
  const post = async (path: string, body: string, type = 'application/json') => {
    const t0 = performance.now();
    const res = await fetch(`${c.url}${path}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': type },
      body,
      signal: AbortSignal.timeout(5_000),
    });
    const json = (await res.json()) as Record<string, unknown>;
    return { status: res.status, body: json, ms: performance.now() - t0 };
  };
  const healthz = async (): Promise<number> =>
    (await fetch(`${c.url}/healthz`, { signal: AbortSignal.timeout(2_000) })).status;
  const metrics = async (): Promise<string> => (await fetch(`${c.url}/metrics`, { headers: auth() })).text();
  const alerts = async (): Promise<Alert[]> =>
    AlertList.parse(await (await fetch(`${c.url}/v1/alerts`, { headers: auth() })).json()).alerts;

  beforeAll(async () => {
    c = await startCollector({ configYaml: 'escalation:\n  maxSnooze: 2h\n' });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('a far-future ts (ISO 9999, epoch µs, a day ahead) is a 400 naming ts within 1 s; /healthz stays up', async () => {
    const cases: { ts: string | number; message: RegExp }[] = [
      { ts: '9999-12-31T23:59:59Z', message: /ahead of the collector's clock.*ingest\.maxFutureSkew/ },
      { ts: 1796538507000000, message: /microseconds/ },
      { ts: Date.now() + DAY_MS, message: /1 d ahead of the collector's clock.*limit is 5 min/ },
    ];
    // Data first, so the rules have a cursor: before the fix the next far-future event made them
    // walk minute by minute from it toward the year 9999 (the request never answered).
    const prior = [
      { ...ok, ts: Date.now() - 50 * MINUTE_MS },
      { ...ok, ts: Date.now() - 45 * MINUTE_MS },
    ];
    expect((await postEvents(c.url, c.token, prior)).status).toBe(200);
    for (const { ts, message } of cases) {
      const r = await post(
        '/v1/events',
        JSON.stringify([
          { ...ok, ts: Date.now() },
          { ...ok, ts },
        ]),
      );
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_field', field: '[1].ts' });
      expect((r.body.error as { message: string }).message).toMatch(message);
      expect(r.ms).toBeLessThan(1_000);
      console.log(`far-future ts ${JSON.stringify(ts)}: 400 in ${r.ms.toFixed(1)} ms`);
      // NDJSON too: names the line, like every NDJSON error.
      const lines = [
        { ...ok, ts: Date.now() },
        { ...ok, ts },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n');
      const nd = await post('/v1/events', lines, 'application/x-ndjson');
      expect(nd.status).toBe(400);
      expect((nd.body.error as { field: string }).field).toBe('line 2: ts');
      expect(nd.ms).toBeLessThan(1_000);
      // One object (not an array): the field is plain `ts`.
      const single = await post('/v1/events', JSON.stringify({ ...ok, ts }));
      expect(single.body.error).toMatchObject({ code: 'invalid_field', field: 'ts' });
      expect(nd.ms).toBeLessThan(1_000);
      expect(await healthz()).toBe(200);
    }
    // Nothing of those batches was stored (atomic), and the refusals are counted.
    expect((await (await fetch(`${c.url}/v1/stats`, { headers: auth() })).json()).events).toBe(2);
    expect(await metrics()).toMatch(/^vigil_events_future_refused_total [1-9]/m);
  });

  it('numbers must be finite and within sane bounds: a 400 naming the field', async () => {
    const now = Date.now();
    for (const [field, value] of [
      ['cost_usd', '1e999'], // JSON.parse gives Infinity
      ['cost_usd', '2000000'],
      ['latency_ms', String(2 * DAY_MS)],
      ['input_tokens', '2000000000'],
      ['output_tokens', '1e300'],
    ] as const) {
      const body = JSON.stringify([{ ...ok, ts: now }]).replace('"status"', `"${field}":${value},"status"`);
      const r = await post('/v1/events', body.replace(`"${field}":10,`, ''));
      expect(r.status, `${field}=${value}: ${JSON.stringify(r.body)}`).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid_field', field: `[0].${field}` });
    }
    const ev = await post('/v1/evals', JSON.stringify({ suite: 'qa', ts: now, accuracy: 0.9, total: 3e9 }));
    expect(ev.status).toBe(400);
    expect(ev.body.error).toMatchObject({ field: 'total' });
  });

  it('eval runs: ts a day ahead is a 400 naming ts; OTLP spans ahead are rejected through partial success', async () => {
    const ahead = Date.now() + DAY_MS;
    const one = await post('/v1/evals', JSON.stringify({ suite: 'qa', ts: ahead, accuracy: 0.9 }));
    expect(one.status).toBe(400);
    expect(one.body.error).toMatchObject({ code: 'invalid_field', field: 'ts' });
    const many = await post(
      '/v1/evals',
      JSON.stringify([
        { suite: 'qa', ts: Date.now(), accuracy: 0.9 },
        { suite: 'qa', ts: '9999-12-31T23:59:59Z', accuracy: 0.9 },
      ]),
    );
    expect(many.status).toBe(400);
    expect(many.body.error).toMatchObject({ field: '[1].ts' });

    const span = (name: string, startMs: number | string) => ({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      name,
      kind: 3,
      startTimeUnixNano: typeof startMs === 'string' ? startMs : `${startMs}000000`,
      endTimeUnixNano: typeof startMs === 'string' ? startMs : `${startMs + 1000}000000`,
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'chat' } },
        { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
      ],
    });
    const body = {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'otel-svc' } }] },
          scopeSpans: [
            {
              spans: [
                span('hours ago', Date.now() - 3 * 3_600_000),
                span('tomorrow', ahead),
                span('year 9999', `${Date.UTC(9999, 11, 31)}000000`),
                span('µs as ns', '1796538507000000000000'),
              ],
            },
          ],
        },
      ],
    };
    const r = await post('/v1/traces', JSON.stringify(body));
    expect(r.status).toBe(200);
    const ps = r.body.partialSuccess as { rejectedSpans: number; errorMessage: string };
    expect(ps.rejectedSpans).toBe(3);
    expect(ps.errorMessage).toMatch(/span "tomorrow": startTimeUnixNano: .*1 d ahead of the collector's clock/);
    expect(ps.errorMessage).toMatch(/span "year 9999": startTimeUnixNano: .*ahead/);
    expect(ps.errorMessage).toMatch(/span "µs as ns": startTimeUnixNano: .*after the year 9999/);
    expect(await healthz()).toBe(200);
  });

  it('a restart on a data dir whose DB holds far-future rows comes up at once; a real outage afterwards pages', async () => {
    // The outage below is posted in one batch after the fact; so that it is not "late", nothing
    // newer than the healthy history may have been posted before (the tests above post none).
    const now = Date.now();
    // Healthy history, so the rules have a cursor of their own before the bad rows.
    const healthy = errorBurst({
      ...key,
      startMs: minuteFloor(now) - 60 * MINUTE_MS,
      minutes: 30,
      perMinute: 20,
      errorRate: 0,
    });
    expect((await postEvents(c.url, c.token, healthy)).status).toBe(200);
    await c.kill('SIGTERM');
    const file = join(c.dataDir, 'collector.db');
    plantFutureRows(file, Date.UTC(9999, 11, 31, 23, 59, 59), { cursor: minuteFloor(Date.UTC(9999, 11, 31)) });
    plantFutureRows(file, 1796538507000000, { count: 3 });

    const t0 = performance.now();
    await c.restart();
    expect(await healthz()).toBe(200);
    const upMs = performance.now() - t0;
    console.log(`restart with far-future rows stored: up and healthy in ${Math.round(upMs)} ms`);
    expect(upMs).toBeLessThan(15_000); // the process start itself (tsx) takes most of it
    expect(await metrics()).toMatch(/^vigil_events_future_skipped_total 4$/m);

    // A real outage: 15 minutes at 30% errors, ending now.
    const burst = errorBurst({
      ...key,
      startMs: minuteFloor(Date.now()) - 15 * MINUTE_MS,
      minutes: 15,
      perMinute: 60,
      errorRate: 0.3,
    });
    const t1 = performance.now();
    expect((await postEvents(c.url, c.token, burst)).status).toBe(200);
    expect(performance.now() - t1).toBeLessThan(5_000);
    const paged = (await alerts()).filter((a) => a.tier === 'page' && a.status === 'firing');
    expect(paged).toEqual([expect.objectContaining({ ruleId: 'error-rate', labels: key })]);
    expect(await healthz()).toBe(200);
  });

  it('a snooze beyond escalation.maxSnooze is a failed result naming the limit; within it applies', async () => {
    const [a] = (await alerts()).filter((x) => x.status === 'firing');
    expect(a).toBeDefined();
    const s = await connectStream(c.url, c.token, { user: 'ana' });
    try {
      s.send({ type: 'command', id: 'snooze-9999', kind: 'snooze', alertId: a?.id, until: '9999-12-31T23:59:59Z' });
      const far = await s.waitFor((f) => f.type === 'result' && f.id === 'snooze-9999');
      expect(far).toMatchObject({ ok: false, error: expect.stringMatching(/limited to 2h \(escalation\.maxSnooze\)/) });
      s.send({
        type: 'command',
        id: 'snooze-3h',
        kind: 'snooze',
        alertId: a?.id,
        until: toIso(Date.now() + 3 * 3_600_000),
      });
      expect(await s.waitFor((f) => f.type === 'result' && f.id === 'snooze-3h')).toMatchObject({ ok: false });
      s.send({
        type: 'command',
        id: 'snooze-1h',
        kind: 'snooze',
        alertId: a?.id,
        until: toIso(Date.now() + 3_600_000),
      });
      expect(await s.waitFor((f) => f.type === 'result' && f.id === 'snooze-1h')).toMatchObject({ ok: true });
      expect((await alerts()).find((x) => x.id === a?.id)?.status).toBe('snoozed');
    } finally {
      await s.close();
    }
  });

  it('late data (minutes the rules already judged) is accepted into the rollups and counted', async () => {
    const before = Number(/^vigil_events_late_total (\d+)$/m.exec(await metrics())?.[1]);
    const late = errorBurst({
      ...key,
      startMs: minuteFloor(Date.now()) - 40 * MINUTE_MS,
      minutes: 1,
      perMinute: 7,
      errorRate: 1,
    });
    expect(await postEvents(c.url, c.token, late)).toEqual({ status: 200, body: { accepted: 7 } });
    expect(await metrics()).toMatch(new RegExp(`^vigil_events_late_total ${before + 7}$`, 'm'));
  });

  it('within the skew is accepted (a sender whose clock is a little fast)', async () => {
    expect((await postEvents(c.url, c.token, [{ ...ok, ts: Date.now() + 60_000 }])).status).toBe(200);
  });
});

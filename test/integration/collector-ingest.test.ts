import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import { postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

const ok: LlmEventInput = {
  ts: '2026-11-01T12:00:00Z',
  service: 'checkout',
  provider: 'openai',
  model: 'gpt-4o',
  latency_ms: 420,
  input_tokens: 1000,
  output_tokens: 200,
  status: 'ok',
};

describe('POST /v1/events: bad input gets a named 4xx and the collector keeps serving', () => {
  let c: CollectorHandle;
  beforeAll(async () => {
    c = await startCollector({ configYaml: 'ingest:\n  maxBodyBytes: 65536\n  maxBatchEvents: 100\n' });
  });
  afterAll(async () => {
    await c.stop();
  });

  const post = async (body: string, headers: Record<string, string> = {}, token: string | null = c.token) => {
    const res = await fetch(`${c.url}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body,
    });
    return {
      status: res.status,
      body: (await res.json()) as { error?: { code: string; message: string; field?: string }; accepted?: number },
    };
  };
  const stillServing = async () => {
    const r = await postEvents(c.url, c.token, [ok]);
    expect(r).toEqual({ status: 200, body: { accepted: 1 } });
  };

  it('accepts an array, a single object and NDJSON', async () => {
    expect((await post(JSON.stringify([ok, ok]))).body).toEqual({ accepted: 2 });
    expect((await post(JSON.stringify(ok))).body).toEqual({ accepted: 1 });
    const nd = `${JSON.stringify(ok)}\n${JSON.stringify(ok)}\n`;
    expect((await post(nd, { 'content-type': 'application/x-ndjson' })).body).toEqual({ accepted: 2 });
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const r = await post('[{"ts": ');
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('invalid_json');
    await stillServing();
  });

  it('wrong type → 400 invalid_field naming the element and field', async () => {
    const r = await post(JSON.stringify([ok, ok, ok, { ...ok, latency_ms: 'slow' }]));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_field', field: '[3].latency_ms' });
    expect(r.body.error?.message).toContain('[3].latency_ms');
    await stillServing();
  });

  it('missing field → 400 naming it; NDJSON names the line; nothing of the batch is stored', async () => {
    const before = (await (
      await fetch(`${c.url}/v1/stats`, { headers: { authorization: `Bearer ${c.token}` } })
    ).json()) as { events: number };
    const { model: _m, ...noModel } = ok;
    const r = await post(JSON.stringify([ok, noModel]));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_field', field: '[1].model' });
    const nd = [ok, ok, ok, { ...ok, status: 'meh' }].map((e) => JSON.stringify(e)).join('\n');
    const r2 = await post(nd, { 'content-type': 'application/x-ndjson' });
    expect(r2.status).toBe(400);
    expect(r2.body.error?.message).toMatch(/^line 4: status/);
    const after = (await (
      await fetch(`${c.url}/v1/stats`, { headers: { authorization: `Bearer ${c.token}` } })
    ).json()) as { events: number };
    expect(after.events).toBe(before.events);
  });

  it('body over the size limit → 413 payload_too_large', async () => {
    const big = JSON.stringify(Array.from({ length: 90 }, () => ({ ...ok, error_message: 'x'.repeat(1900) })));
    expect(big.length).toBeGreaterThan(65536);
    const r = await post(big);
    expect(r.status).toBe(413);
    expect(r.body.error?.code).toBe('payload_too_large');
    await stillServing();
  });

  it('too many events → 413', async () => {
    const r = await post(JSON.stringify(Array.from({ length: 101 }, () => ok)));
    expect(r.status).toBe(413);
    expect(r.body.error?.message).toContain('limit is 100');
  });

  it('wrong content type → 415', async () => {
    const r = await post(JSON.stringify([ok]), { 'content-type': 'text/plain' });
    expect(r.status).toBe(415);
    expect(r.body.error?.code).toBe('unsupported_media_type');
    await stillServing();
  });

  it('no token or a wrong token → 401', async () => {
    const none = await post(JSON.stringify([ok]), {}, null);
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe('unauthorized');
    const wrong = await post(JSON.stringify([ok]), {}, 'x'.repeat(32));
    expect(wrong.status).toBe(401);
    await stillServing();
  });

  it('unknown models are stored unpriced and counted, never priced at zero', async () => {
    const r = await postEvents(c.url, c.token, [{ ...ok, provider: 'acme', model: 'mystery-1' }]);
    expect(r.status).toBe(200);
    const metrics = await (await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.token}` } })).text();
    expect(metrics).toMatch(/vigil_events_unpriced_total [1-9]/);
    expect(metrics).toMatch(/vigil_requests_rejected_total\{code="invalid_field"\} [1-9]/);
  });

  it('/metrics reports the WAL checkpointer: passes run off the request path, size and backlog', async () => {
    const scrape = async () =>
      (await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.token}` } })).text();
    const value = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
    let m = await scrape();
    const deadline = performance.now() + 10_000;
    // The worker reports after each pass (every 200 ms).
    while (!(value(m, 'vigil_wal_checkpoints_total') > 0) && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      m = await scrape();
    }
    expect(value(m, 'vigil_wal_checkpoints_total')).toBeGreaterThan(0);
    expect(value(m, 'vigil_wal_bytes')).toBeGreaterThanOrEqual(0);
    expect(value(m, 'vigil_wal_backlog_bytes')).toBeLessThanOrEqual(value(m, 'vigil_wal_bytes'));
    expect(value(m, 'vigil_wal_checkpoint_errors_total')).toBe(0);
    expect(m).toContain('# TYPE vigil_wal_backlog_bytes gauge');
  });

  it('healthz needs no token; unknown routes and bad filters are JSON errors', async () => {
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    const nf = await fetch(`${c.url}/nope`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const bad = await fetch(`${c.url}/v1/alerts?status=sleeping`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('status');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RollupsPage, SeriesResponse } from '../../shared/protocol/series.js';
import { decodeSketch } from '../../shared/rollup/sketch-codec.js';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import { postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

const MIN = 60_000;
// Recent event time (whole hour), so no retention on the collector ever touches it.
const BASE = Math.floor((Date.now() - 3 * 3_600_000) / 3_600_000) * 3_600_000;
const MINUTES = 10;
const PER_MINUTE = 300;

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal latencies around 800 ms with a heavy tail: quantiles that differ a lot. */
function traffic(): LlmEventInput[] {
  const rand = rng(42);
  const out: LlmEventInput[] = [];
  for (let m = 0; m < MINUTES; m++) {
    for (let i = 0; i < PER_MINUTE; i++) {
      const u1 = Math.max(rand(), 1e-9);
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rand());
      const model = i % 3 === 0 ? 'gpt-4o-mini' : 'gpt-4o';
      out.push({
        ts: BASE + m * MIN + Math.floor((i * MIN) / PER_MINUTE),
        service: i % 2 === 0 ? 'chat' : 'search',
        provider: 'openai',
        model,
        latency_ms: Math.round(800 * Math.exp(0.6 * z) * 100) / 100,
        input_tokens: 100,
        output_tokens: 50,
        cost_usd: 0.001,
        // minute 0..4 has 10 % errors on gpt-4o, the rest none
        status: m < 5 && model === 'gpt-4o' && i % 10 === 1 ? 'error' : 'ok',
        ...(m < 5 && model === 'gpt-4o' && i % 10 === 1 ? { error_type: 'timeout' } : {}),
        output_label: i % 4 === 0 ? 'refusal' : 'answer',
        retrieval_hit: i % 5 !== 0,
        ...(i % 6 === 0 ? { feedback: i % 12 === 0 ? ('down' as const) : ('up' as const) } : {}),
      });
    }
  }
  return out;
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))] as number;
}

describe('GET /v1/series and /v1/rollups', () => {
  let c: CollectorHandle;
  const events = traffic();

  const get = async (path: string, params: Record<string, string>): Promise<{ status: number; body: unknown }> => {
    const qs = new URLSearchParams(params).toString();
    const res = await fetch(`${c.url}${path}?${qs}`, { headers: { authorization: `Bearer ${c.token}` } });
    return { status: res.status, body: await res.json() };
  };
  const series = async (params: Record<string, string>) => {
    const r = await get('/v1/series', { from: String(BASE), to: String(BASE + MINUTES * MIN), ...params });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return SeriesResponse.parse(r.body);
  };

  beforeAll(async () => {
    c = await startCollector();
    for (let i = 0; i < events.length; i += 1000) {
      const r = await postEvents(c.url, c.token, events.slice(i, i + 1000));
      expect(r.status).toBe(200);
    }
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('merges minute sketches into p50/p95/p99 within 1% of the exact quantiles', async () => {
    const sorted = events.map((e) => e.latency_ms).sort((a, b) => a - b);
    for (const [metric, q] of [
      ['latency_p50', 0.5],
      ['latency_p95', 0.95],
      ['latency_p99', 0.99],
    ] as const) {
      const r = await series({ metric, step: '1h' });
      expect(r.series).toHaveLength(1);
      const value = r.series[0]?.points.find((p) => p[0] === BASE)?.[1];
      const exact = exactQuantile(sorted, q);
      expect(value, metric).not.toBeNull();
      expect(Math.abs((value as number) - exact) / exact, `${metric}: ${value} vs exact ${exact}`).toBeLessThanOrEqual(
        0.01,
      );
    }
  });

  it('per-minute quantiles of one model match exact within 1%', async () => {
    const r = await series({ metric: 'latency_p95', model: 'gpt-4o-mini', step: '1m' });
    const points = r.series[0]?.points ?? [];
    expect(points).toHaveLength(MINUTES);
    for (const [t, v] of points) {
      const sorted = events
        .filter((e) => e.model === 'gpt-4o-mini' && (e.ts as number) >= t && (e.ts as number) < t + MIN)
        .map((e) => e.latency_ms)
        .sort((a, b) => a - b);
      const exact = exactQuantile(sorted, 0.95);
      expect(Math.abs((v as number) - exact) / exact).toBeLessThanOrEqual(0.01);
    }
  });

  it('counts, rates and costs per bucket, and splits by model', async () => {
    const req = await series({ metric: 'requests', step: '5m' });
    expect(req.series[0]?.points).toEqual([
      [BASE, 5 * PER_MINUTE],
      [BASE + 5 * MIN, 5 * PER_MINUTE],
    ]);
    const err = await series({ metric: 'error_rate', step: '5m', by: 'model' });
    expect(err.series.map((s) => s.labels)).toEqual([{ model: 'gpt-4o' }, { model: 'gpt-4o-mini' }]);
    const gpt4o = events.filter((e) => e.model === 'gpt-4o' && (e.ts as number) < BASE + 5 * MIN);
    const rate = gpt4o.filter((e) => e.status === 'error').length / gpt4o.length;
    expect(err.series[0]?.points[0]?.[1]).toBeCloseTo(rate, 10);
    expect(err.series[0]?.points[1]?.[1]).toBe(0);
    expect(err.series[1]?.points.map((p) => p[1])).toEqual([0, 0]);

    const cost = await series({ metric: 'cost_usd', step: '1h', service: 'chat' });
    expect(cost.series[0]?.points[0]?.[1]).toBeCloseTo(events.filter((e) => e.service === 'chat').length * 0.001, 9);
    const tokens = await series({ metric: 'tokens_out', step: '1h' });
    expect(tokens.series[0]?.points[0]?.[1]).toBe(events.length * 50);
  });

  it('retrieval hit rate, negative feedback rate and output label shares', async () => {
    const hit = await series({ metric: 'retrieval_hit_rate', step: '1h' });
    expect(hit.series[0]?.points[0]?.[1]).toBeCloseTo(0.8, 10);
    const neg = await series({ metric: 'negative_feedback_rate', step: '1h' });
    const fb = events.filter((e) => e.feedback !== undefined);
    expect(neg.series[0]?.points[0]?.[1]).toBeCloseTo(fb.filter((e) => e.feedback === 'down').length / fb.length, 10);
    const share = await series({ metric: 'output_label_share', step: '1h' });
    expect(share.series.map((s) => s.labels.label)).toEqual(['answer', 'refusal']);
    expect(share.series[1]?.points[0]?.[1]).toBeCloseTo(0.25, 10);
  });

  it('leaves gaps (null) where there is no data, on step-aligned buckets', async () => {
    const r = await get('/v1/series', {
      metric: 'requests',
      from: new Date(BASE - 3 * MIN + 30_000).toISOString(),
      to: String(BASE + 2 * MIN),
      step: '1m',
    });
    expect(r.status).toBe(200);
    expect(SeriesResponse.parse(r.body).series[0]?.points).toEqual([
      [BASE - 3 * MIN, null],
      [BASE - 2 * MIN, null],
      [BASE - MIN, null],
      [BASE, PER_MINUTE],
      [BASE + MIN, PER_MINUTE],
    ]);
    const none = await series({ metric: 'requests', service: 'nope' });
    expect(none.series).toEqual([]);
  });

  it('answers eval_accuracy (empty until the collector stores eval runs)', async () => {
    const r = await series({ metric: 'eval_accuracy', step: '1h' });
    expect(Array.isArray(r.series)).toBe(true);
  });

  const bad: [string, Record<string, string>, string][] = [
    ['missing metric', { from: '0', to: '60000' }, 'metric'],
    ['unknown metric', { metric: 'latency_p42', from: '0', to: '60000' }, 'metric'],
    ['missing from', { metric: 'requests', to: '60000' }, 'from'],
    ['from not a time', { metric: 'requests', from: 'yesterday', to: '60000' }, 'from'],
    ['to before from', { metric: 'requests', from: '120000', to: '60000' }, 'to'],
    ['bad step', { metric: 'requests', from: '0', to: '60000', step: '2m' }, 'step'],
    ['too many points', { metric: 'requests', from: '0', to: String(30 * 86_400_000), step: '1m' }, 'step'],
    ['bad group-by', { metric: 'requests', from: '0', to: '60000', by: 'region' }, 'by'],
    ['empty service', { metric: 'requests', from: '0', to: '60000', service: '' }, 'service'],
    ['unknown parameter', { metric: 'requests', from: '0', to: '60000', servcie: 'chat' }, 'servcie'],
  ];
  it.each(bad)('GET /v1/series: %s → 400 naming the field', async (_name, params, field) => {
    const r = await get('/v1/series', params);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'invalid_field', field } });
  });

  it('GET /v1/series: a repeated parameter → 400 naming it; no token → 401', async () => {
    const res = await fetch(`${c.url}/v1/series?metric=requests&metric=error_rate&from=0&to=60000`, {
      headers: { authorization: `Bearer ${c.token}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { field: 'metric' } });
    const anon = await fetch(`${c.url}/v1/series?metric=requests&from=0&to=60000`);
    expect(anon.status).toBe(401);
  });

  it('GET /v1/rollups pages whole minutes and the pages add up', async () => {
    let from = BASE;
    let rows = 0;
    let count = 0;
    let pages = 0;
    for (;;) {
      const r = await get('/v1/rollups', { resolution: '1m', from: String(from), limit: '7' });
      expect(r.status).toBe(200);
      const page = RollupsPage.parse(r.body);
      pages++;
      rows += page.rows.length;
      count += page.rows.reduce((n, x) => n + x.count, 0);
      if (page.next === undefined) break;
      expect(page.next).toBeGreaterThan(from);
      from = page.next;
    }
    // 4 series (2 services × 2 models) × 10 minutes; 7 rows → 2 minutes per page
    expect(rows).toBe(4 * MINUTES);
    expect(count).toBe(events.length);
    expect(pages).toBe(5);
  });

  it('GET /v1/rollups at 1h merges minutes (counts and sketches)', async () => {
    const r = await get('/v1/rollups', { resolution: '1h', from: String(BASE), to: String(BASE + 3_600_000) });
    const page = RollupsPage.parse(r.body);
    expect(page.rows).toHaveLength(4);
    expect(page.rows.every((x) => x.t === BASE)).toBe(true);
    expect(page.rows.reduce((n, x) => n + x.count, 0)).toBe(events.length);
    for (const row of page.rows) expect(decodeSketch(row.latency).count).toBe(row.count);
  });

  it.each([
    [{ from: '0' }, 'resolution'],
    [{ resolution: '5m', from: '0' }, 'resolution'],
    [{ resolution: '1m' }, 'from'],
    [{ resolution: '1m', from: '0', limit: '0' }, 'limit'],
    [{ resolution: '1m', from: '0', limit: 'many' }, 'limit'],
    [{ resolution: '1m', from: '100', to: '50' }, 'to'],
  ])('GET /v1/rollups %j → 400 naming %s', async (params, field) => {
    const r = await get('/v1/rollups', params);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'invalid_field', field } });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { SeriesResponse } from '../../shared/protocol/series.js';
import { openCache, type Cache } from '../../electron/main/services/cache/index.js';
import { openSeriesCache, SeriesSync, type SeriesCache } from '../../electron/main/services/series/index.js';
import { errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

const ready = { isReady: () => true, onReady: () => () => {} };
const KEY = { service: 'chat', provider: 'openai', model: 'gpt-4o' };

describe('chart cache sync from a real collector', () => {
  let collector: CollectorHandle;
  let dir: string;
  let cache: Cache;
  let charts: SeriesCache;
  const now = Date.now();
  const recent = Math.floor((now - 30 * MINUTE_MS) / MINUTE_MS) * MINUTE_MS;
  const old = Math.floor((now - 3 * DAY_MS) / HOUR_MS) * HOUR_MS;

  const collectorSeries = async (params: Record<string, string>) => {
    const res = await fetch(`${collector.url}/v1/series?${new URLSearchParams(params).toString()}`, {
      headers: { authorization: `Bearer ${collector.token}` },
    });
    return SeriesResponse.parse(await res.json());
  };
  const total = (points: [number, number | null][]) => points.reduce((n, p) => n + (p[1] ?? 0), 0);

  beforeAll(async () => {
    collector = await startCollector();
    await postEvents(collector.url, collector.token, [
      ...errorBurst({ ...KEY, startMs: old, minutes: 30, perMinute: 10, errorRate: 0.1 }),
      ...errorBurst({ ...KEY, startMs: recent, minutes: 10, perMinute: 20, errorRate: 0.05 }),
    ]);
  });
  afterAll(async () => {
    await collector?.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-series-sync-'));
    cache = openCache(join(dir, 'cache.db'), { now: new Date(now).toISOString() });
    charts = openSeriesCache(cache.path);
  });
  afterEach(() => {
    charts.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pulls hours beyond the minute window and minutes within it; answers like the collector', async () => {
    const sync = new SeriesSync({
      collectorUrl: collector.url,
      token: collector.token,
      cache: charts,
      connection: ready,
      pageRows: 3,
    });
    await sync.syncNow();
    sync.dispose();

    const all = charts.query({ metric: 'requests', fromMs: now - 4 * DAY_MS, toMs: now }, now);
    expect(all.step).toBe('1h');
    expect(total(all.series[0]?.points ?? [])).toBe(300 + 200);
    expect(all.syncedAt).toBeDefined();

    // Same sketches on both sides: the recent p95 per minute is identical, not just close.
    const from = recent;
    const to = recent + 10 * MINUTE_MS;
    const mine = charts.query({ metric: 'latency_p95', fromMs: from, toMs: to }, now);
    const theirs = await collectorSeries({ metric: 'latency_p95', from: String(from), to: String(to), step: '1m' });
    expect(mine.step).toBe('1m');
    expect(mine.series).toEqual(theirs.series);
    expect(charts.catalog().keys).toEqual([KEY]);
  });

  it('picks up late data in the overlap and new minutes on the next pull, without double counting', async () => {
    const sync = new SeriesSync({
      collectorUrl: collector.url,
      token: collector.token,
      cache: charts,
      connection: ready,
    });
    await sync.syncNow();
    const late = recent + 9 * MINUTE_MS; // an already-synced minute gets more events
    await postEvents(
      collector.url,
      collector.token,
      errorBurst({ ...KEY, startMs: late, minutes: 2, perMinute: 5, errorRate: 0 }),
    );
    await sync.syncNow();
    sync.dispose();
    const r = charts.query({ metric: 'requests', fromMs: recent, toMs: recent + 11 * MINUTE_MS }, now);
    expect(total(r.series[0]?.points ?? [])).toBe(200 + 10);
    const theirs = await collectorSeries({
      metric: 'requests',
      from: String(recent),
      to: String(recent + 11 * MINUTE_MS),
      step: '1m',
    });
    expect(r.series).toEqual(theirs.series);
  });

  it('keeps the cache as it was when the collector is unreachable', async () => {
    const sync = new SeriesSync({
      collectorUrl: collector.url,
      token: collector.token,
      cache: charts,
      connection: ready,
    });
    await sync.syncNow();
    const before = charts.query({ metric: 'requests', fromMs: now - 4 * DAY_MS, toMs: now }, now);
    const warnings: string[] = [];
    const dead = new SeriesSync({
      collectorUrl: 'http://127.0.0.1:9',
      token: 't',
      cache: charts,
      connection: ready,
      log: { warn: (m) => warnings.push(m) },
    });
    await dead.syncNow();
    dead.dispose();
    sync.dispose();
    expect(warnings.length).toBe(1);
    expect(charts.query({ metric: 'requests', fromMs: now - 4 * DAY_MS, toMs: now }, now)).toEqual(before);
  });
});

describe('chart cache sync from a misbehaving server', () => {
  let server: Server;
  let url: string;
  let answer: (from: number) => { status: number; body: string };
  let dir: string;
  let cache: Cache;
  let charts: SeriesCache;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const from = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('from'));
      const a = answer(from);
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-series-sync-bad-'));
    cache = openCache(join(dir, 'cache.db'), { now: new Date().toISOString() });
    charts = openSeriesCache(cache.path);
  });
  afterEach(() => {
    charts.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = async (): Promise<string[]> => {
    const warnings: string[] = [];
    const sync = new SeriesSync({
      collectorUrl: url,
      token: 't',
      cache: charts,
      connection: ready,
      log: { warn: (m) => warnings.push(m) },
    });
    await sync.syncNow();
    sync.dispose();
    return warnings;
  };

  it.each([
    ['not JSON', () => ({ status: 200, body: 'hello' }), /JSON/],
    [
      'a row missing its sketch',
      () => ({ status: 200, body: JSON.stringify({ resolution: '1h', rows: [{ t: 0, service: 's' }], evals: [] }) }),
      /invalid page \(rows\[0\]/,
    ],
    [
      'an error status',
      () => ({ status: 500, body: '{"error":{"code":"internal","message":"boom"}}' }),
      /answered 500/,
    ],
    [
      'a cursor that does not advance',
      (from: number) => ({ status: 200, body: JSON.stringify({ resolution: '1h', rows: [], evals: [], next: from }) }),
      /does not advance/,
    ],
  ] as const)('%s: logged, nothing stored, never throws', async (_name, respond, message) => {
    answer = respond;
    const warnings = await run();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(message);
    expect(charts.syncState().syncedAt).toBeUndefined();
    expect(charts.catalog().keys).toEqual([]);
  });
});

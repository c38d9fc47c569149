import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../shared/clock.js';
import type { RollupRow } from '../../shared/protocol/series.js';
import { encodeSketch, newSketch } from '../../shared/rollup/sketch-codec.js';
import { openCache, type Cache } from '../../electron/main/services/cache/index.js';
import { openSeriesCache, stepFor, type SeriesCache } from '../../electron/main/services/series/index.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 2, 10, 12, 30);

function row(t: number, latencies: number[], over: Partial<RollupRow> = {}): RollupRow {
  const s = newSketch();
  for (const l of latencies) s.accept(l);
  return {
    t,
    service: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    count: latencies.length,
    errors: 1,
    tokensIn: 10 * latencies.length,
    tokensOut: 5 * latencies.length,
    costUsd: 0.01 * latencies.length,
    unpriced: 0,
    retrievalHits: 2,
    retrievalMisses: 1,
    feedbackUp: 1,
    feedbackDown: 1,
    outputLabels: { answer: latencies.length },
    latency: encodeSketch(s),
    ...over,
  };
}

describe('chart cache (cache migration 0004)', () => {
  let dir: string;
  let cache: Cache;
  let charts: SeriesCache;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-series-cache-'));
    cache = openCache(join(dir, 'cache.db'), { now: new Date(NOW).toISOString() });
    charts = openSeriesCache(cache.path);
  });
  afterEach(() => {
    charts.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forgets chart rows and the sync position when the cache is bound to another collector', () => {
    cache.bindCollector('http://127.0.0.1:1111');
    const recent = Math.floor((NOW - HOUR_MS) / MIN) * MIN;
    charts.putPage(MIN, [row(recent, [50, 60])], []);
    charts.markSynced(recent, new Date(NOW).toISOString());
    charts.close();
    expect(cache.bindCollector('http://127.0.0.1:2222')).toBe(true);
    charts = openSeriesCache(cache.path);
    expect(charts.syncState().syncedTo).toBeNull();
    expect(charts.catalog().keys).toEqual([]);
    expect(charts.query({ metric: 'requests', fromMs: recent - 5 * MIN, toMs: recent + MIN }, NOW).series).toEqual([]);
  });

  it('keeps minutes for the last ~2 days and merges older minutes into hours, counts and sketches included', () => {
    const oldHour = Math.floor((NOW - 3 * DAY_MS) / HOUR_MS) * HOUR_MS;
    const recent = Math.floor((NOW - HOUR_MS) / MIN) * MIN;
    const minutes = Array.from({ length: 60 }, (_, i) => row(oldHour + i * MIN, [100 + i, 1000 + 10 * i]));
    charts.putPage(MIN, [...minutes, row(recent, [50])], []);

    const { downsampled } = charts.compact(NOW);
    expect(downsampled).toBe(60);

    const hourly = charts.query({ metric: 'requests', fromMs: oldHour, toMs: oldHour + HOUR_MS }, NOW);
    expect(hourly.step).toBe('1h');
    expect(hourly.series[0]?.points).toEqual([[oldHour, 120]]);
    const p50 = charts.query({ metric: 'latency_p50', fromMs: oldHour, toMs: oldHour + HOUR_MS }, NOW);
    const all = minutes.flatMap((_, i) => [100 + i, 1000 + 10 * i]).sort((a, b) => a - b);
    const exact = all[Math.floor(0.5 * (all.length - 1))] as number;
    expect(Math.abs((p50.series[0]?.points[0]?.[1] as number) - exact) / exact).toBeLessThanOrEqual(0.01);
    // The recent minute is still a minute.
    const live = charts.query({ metric: 'requests', fromMs: recent - 5 * MIN, toMs: recent + MIN }, NOW);
    expect(live.step).toBe('1m');
    expect(live.series[0]?.points.at(-1)).toEqual([recent, 1]);
  });

  it('a second compaction merges new old minutes into the existing hour instead of replacing it', () => {
    const hour = Math.floor((NOW - 3 * DAY_MS) / HOUR_MS) * HOUR_MS;
    charts.putPage(MIN, [row(hour, [100, 200])], []);
    charts.compact(NOW);
    charts.putPage(MIN, [row(hour + MIN, [300])], []); // late data arrived for that hour
    charts.compact(NOW);
    const r = charts.query({ metric: 'requests', fromMs: hour, toMs: hour + HOUR_MS }, NOW);
    expect(r.series[0]?.points).toEqual([[hour, 3]]);
  });

  it('drops everything older than 30 days, eval runs too', () => {
    const old = Math.floor((NOW - 31 * DAY_MS) / HOUR_MS) * HOUR_MS;
    const kept = Math.floor((NOW - 29 * DAY_MS) / HOUR_MS) * HOUR_MS;
    charts.putPage(
      HOUR_MS,
      [row(old, [1]), row(kept, [2])],
      [
        { suite: 'qa', ts: old, accuracy: 0.9 },
        { suite: 'qa', ts: kept, accuracy: 0.8, passed: 8, total: 10 },
      ],
    );
    expect(charts.compact(NOW).deleted).toBe(1);
    const r = charts.query({ metric: 'requests', fromMs: NOW - 32 * DAY_MS, toMs: NOW }, NOW);
    const values = (r.series[0]?.points ?? []).filter((p) => p[1] !== null);
    expect(values).toEqual([[kept, 1]]);
    const evals = charts.query({ metric: 'eval_accuracy', fromMs: NOW - 32 * DAY_MS, toMs: NOW }, NOW);
    expect(evals.series).toEqual([{ labels: { suite: 'qa' }, points: expect.any(Array) }]);
    expect(evals.series[0]?.points.filter((p) => p[1] !== null)).toEqual([[kept, 0.8]]);
  });

  it('filters and groups like the collector, and lists the known keys', () => {
    const t = Math.floor((NOW - HOUR_MS) / MIN) * MIN;
    charts.putPage(
      MIN,
      [row(t, [1, 2]), row(t, [3], { model: 'gpt-4o-mini' }), row(t, [4], { service: 'search' })],
      [],
    );
    const by = charts.query({ metric: 'requests', fromMs: t, toMs: t + MIN, by: 'model' }, NOW);
    expect(by.series.map((s) => [s.labels, s.points[0]?.[1]])).toEqual([
      [{ model: 'gpt-4o' }, 3],
      [{ model: 'gpt-4o-mini' }, 1],
    ]);
    const chat = charts.query({ metric: 'requests', fromMs: t, toMs: t + MIN, service: 'chat' }, NOW);
    expect(chat.series[0]?.points[0]?.[1]).toBe(3);
    expect(charts.catalog().keys).toHaveLength(3);
  });

  it('an upsert of the same bucket replaces it (re-pulled overlap is not double counted)', () => {
    const t = Math.floor((NOW - HOUR_MS) / MIN) * MIN;
    charts.putPage(MIN, [row(t, [1, 2])], []);
    charts.putPage(MIN, [row(t, [1, 2, 3])], []);
    const r = charts.query({ metric: 'requests', fromMs: t, toMs: t + MIN }, NOW);
    expect(r.series[0]?.points).toEqual([[t, 3]]);
  });

  it('refuses a page with a sketch that does not decode, keeping what it had', () => {
    const t = Math.floor((NOW - HOUR_MS) / MIN) * MIN;
    charts.putPage(MIN, [row(t, [1])], []);
    expect(() => charts.putPage(MIN, [row(t, [1, 2]), row(t + MIN, [1], { latency: 'not a sketch' })], [])).toThrow();
    expect(charts.query({ metric: 'requests', fromMs: t, toMs: t + 2 * MIN }, NOW).series[0]?.points).toEqual([
      [t, 1],
      [t + MIN, null],
    ]);
  });

  it('records how far it synced, never moving backwards', () => {
    expect(charts.syncState()).toEqual({ syncedTo: null, syncedAt: undefined });
    charts.markSynced(5000, '2026-03-10T12:00:00.000Z');
    charts.markSynced(null, '2026-03-10T12:01:00.000Z');
    charts.markSynced(4000, '2026-03-10T12:02:00.000Z');
    expect(charts.syncState()).toEqual({ syncedTo: 5000, syncedAt: '2026-03-10T12:02:00.000Z' });
    expect(charts.query({ metric: 'requests', fromMs: 0, toMs: MIN }, NOW).syncedAt).toBe('2026-03-10T12:02:00.000Z');
  });

  it('picks a step from the range: minutes for short recent ranges, hours for old or long ones', () => {
    expect(stepFor(NOW - HOUR_MS, NOW, NOW)).toBe('1m');
    expect(stepFor(NOW - 3 * HOUR_MS, NOW, NOW)).toBe('1m');
    expect(stepFor(NOW - 6 * HOUR_MS, NOW, NOW)).toBe('5m');
    expect(stepFor(NOW - DAY_MS, NOW, NOW)).toBe('5m');
    expect(stepFor(NOW - 7 * DAY_MS, NOW, NOW)).toBe('1h');
    expect(stepFor(NOW - 5 * DAY_MS, NOW - 5 * DAY_MS + HOUR_MS, NOW)).toBe('1h');
  });
});

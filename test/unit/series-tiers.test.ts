import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../shared/clock.js';
import type { RollupRow } from '../../shared/protocol/series.js';
import { decodeSketch, encodeSketch, newSketch } from '../../shared/rollup/sketch-codec.js';
import { rollupSeries } from '../../shared/series/aggregate.js';
import { decodeDenseBlob, denseFromWire, encodeDenseBlob, SketchMerger } from '../../shared/series/dense-sketch.js';
import { openCache, type Cache } from '../../electron/main/services/cache/index.js';
import { openSeriesCache, type SeriesCache } from '../../electron/main/services/series/index.js';

const MIN = 60_000;
const NOW = Date.UTC(2026, 2, 10, 12, 30);
const QS = [0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1];

function wire(values: number[]): string {
  const s = newSketch();
  for (const v of values) s.accept(v);
  return encodeSketch(s);
}

// Latencies are never negative (ingest refuses them), and sketches-js's merge drops the negative
// store of the sketch merged in, so the reference is only meaningful for values >= 0.
const latencies = fc.array(fc.oneof(fc.double({ min: 0, max: 60_000, noNaN: true }), fc.constant(0)), {
  minLength: 0,
  maxLength: 60,
});

describe('dense sketches (the chart cache form of a latency sketch)', () => {
  it('merged quantiles equal DDSketch merged quantiles exactly, zeros included', () => {
    fc.assert(
      fc.property(fc.array(latencies, { minLength: 1, maxLength: 6 }), (groups) => {
        const merged = newSketch();
        const mine = new SketchMerger();
        for (const g of groups) {
          const text = wire(g);
          merged.merge(decodeSketch(text));
          mine.add(decodeDenseBlob(encodeDenseBlob(denseFromWire(text))));
        }
        expect(mine.count).toBe(merged.count);
        for (const q of QS) expect(mine.quantile(q)).toBe(merged.count === 0 ? null : merged.getValueAtQuantile(q));
      }),
      { numRuns: 200 },
    );
  });

  it('reads the v1 pair encoding too, negative store included', () => {
    const v1 = JSON.stringify({
      v: 1,
      ra: 0.01,
      p: [
        [300, 2],
        [250, 1],
      ],
      n: [[10, 2]],
      z: 1,
      sum: 10,
      min: -2,
      max: 20,
    });
    const m = new SketchMerger();
    m.add(denseFromWire(v1));
    const ref = decodeSketch(v1);
    for (const q of QS) expect(m.quantile(q)).toBe(ref.getValueAtQuantile(q));
  });

  it.each([
    ['not JSON', 'nope', /not JSON/],
    ['an array', '[]', /not an object/],
    ['an unknown version', JSON.stringify({ v: 3, ra: 0.01 }), /unsupported encoding v3/],
    [
      'another accuracy',
      JSON.stringify({ v: 2, ra: 0.02, p: [], n: [], z: 0, sum: 0, min: null, max: null }),
      /relative accuracy/,
    ],
    [
      'a non-numeric bin',
      JSON.stringify({ v: 2, ra: 0.01, p: [1, 'x'], n: [], z: 0, sum: 0, min: null, max: null }),
      /p\[1\]/,
    ],
    [
      'a fractional key',
      JSON.stringify({ v: 2, ra: 0.01, p: [1.5, 1], n: [], z: 0, sum: 0, min: null, max: null }),
      /integer key/,
    ],
    [
      'a missing store',
      JSON.stringify({ v: 2, ra: 0.01, n: [], z: 0, sum: 0, min: null, max: null }),
      /p is not an array/,
    ],
    ['a bad v1 pair', JSON.stringify({ v: 1, ra: 0.01, p: [[1]], n: [], z: 0, sum: 0, min: null, max: null }), /pair/],
  ])('refuses %s, naming what is wrong', (_name, text, message) => {
    expect(() => denseFromWire(text)).toThrow(message);
  });

  it('refuses a truncated or unknown blob', () => {
    const blob = encodeDenseBlob(denseFromWire(wire([100, 200])));
    expect(() => decodeDenseBlob(blob.subarray(0, blob.length - 4))).toThrow(/length/);
    expect(() => decodeDenseBlob(new Uint8Array(8))).toThrow(/too short/);
    const bad = new Uint8Array(blob);
    new Float64Array(bad.buffer, 0, 1)[0] = 9;
    expect(() => decodeDenseBlob(bad)).toThrow(/format 9/);
  });

  it('keeps fractional counts (float64 bins) and reads unaligned buffers', () => {
    const d = denseFromWire(
      JSON.stringify({ v: 2, ra: 0.01, p: [400, 0.5, 2.5], n: [], z: 0, sum: 1, min: 1, max: 2 }),
    );
    const blob = encodeDenseBlob(d);
    const shifted = new Uint8Array(blob.length + 3);
    shifted.set(blob, 3);
    expect([...decodeDenseBlob(shifted.subarray(3)).pos]).toEqual([0.5, 2.5]);
  });
});

describe('chart cache tiers (cache migration 0006)', () => {
  let dir: string;
  let cache: Cache;
  let charts: SeriesCache;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-series-tiers-'));
    cache = openCache(join(dir, 'cache.db'), { now: new Date(NOW).toISOString() });
    charts = openSeriesCache(cache.path);
  });
  afterEach(() => {
    charts.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Two hours of minutes for 3 keys, in pages that split 5-minute buckets and hours anywhere. */
  function minutes(): RollupRow[] {
    const start = Math.floor((NOW - 6 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const rows: RollupRow[] = [];
    let seed = 3;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let m = 0; m < 120; m++) {
      for (const model of ['a', 'b', 'c']) {
        if (rand() < 0.2) continue; // gaps
        const lat = Array.from({ length: 1 + Math.floor(rand() * 20) }, () => 100 + rand() * 4000);
        rows.push({
          t: start + m * MIN,
          service: model === 'c' ? 'search' : 'chat',
          provider: 'p',
          model,
          count: lat.length,
          errors: Math.floor(rand() * 3),
          tokensIn: 10,
          tokensOut: 5,
          costUsd: 0.25,
          unpriced: 0,
          retrievalHits: 1,
          retrievalMisses: 1,
          feedbackUp: 0,
          feedbackDown: 1,
          outputLabels: rand() < 0.5 ? { x: 1 } : {},
          latency: wire(lat),
        });
      }
    }
    return rows;
  }

  it('the 5-minute and hourly tiers answer exactly like merging the minutes at query time', () => {
    const rows = minutes();
    for (let i = 0; i < rows.length; i += 37) charts.putPage(MIN, rows.slice(i, i + 37), []);
    for (const [span, stepMs] of [
      [6 * HOUR_MS, 5 * MIN],
      [3 * 24 * HOUR_MS, HOUR_MS],
    ] as const) {
      // Ranges that end now and reach back far enough to pick the 5-minute, then the hourly tier.
      const fromMs = NOW - span;
      for (const metric of [
        'requests',
        'error_rate',
        'cost_usd',
        'output_label_share',
        'latency_p50',
        'latency_p95',
        'latency_p99',
      ] as const) {
        for (const by of [undefined, 'model', 'service'] as const) {
          const got = charts.query({ metric, fromMs, toMs: NOW, ...(by ? { by } : {}) }, NOW);
          expect(got.step).toBe(stepMs === HOUR_MS ? '1h' : '5m');
          const want = rollupSeries(rows, { metric, from: fromMs, to: NOW, stepMs, by });
          if (metric === 'cost_usd') {
            // Sums of floats in another order: equal to the last bits that matter.
            expect(
              got.series.map((s) => s.points.map((p) => (p[1] === null ? null : Number(p[1].toFixed(9))))),
            ).toEqual(want.map((s) => s.points.map((p) => (p[1] === null ? null : Number(p[1].toFixed(9))))));
          } else expect(got.series).toEqual(want);
        }
      }
    }
  });

  it('a re-pulled minute updates its 5-minute bucket and hour instead of adding to them', () => {
    const t = Math.floor((NOW - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS + 7 * MIN;
    const base = minutes()[0] as RollupRow;
    charts.putPage(MIN, [{ ...base, t, count: 5 }], []);
    charts.putPage(
      MIN,
      [
        { ...base, t, count: 8 },
        { ...base, t: t + MIN, count: 1 },
      ],
      [],
    );
    const five = charts.query({ metric: 'requests', fromMs: NOW - 6 * HOUR_MS, toMs: NOW }, NOW);
    expect(five.series[0]?.points.filter((p) => p[1] !== null)).toEqual([[t - 2 * MIN, 9]]);
    const hour = charts.query({ metric: 'requests', fromMs: NOW - 3 * 24 * HOUR_MS, toMs: NOW }, NOW);
    expect(hour.series[0]?.points.filter((p) => p[1] !== null)).toEqual([[t - 7 * MIN, 9]]);
  });

  it('the three latency quantiles come from one merge, and a write is never answered from a stale merge', () => {
    const rows = minutes();
    charts.putPage(MIN, rows, []);
    const q = { fromMs: NOW - 6 * HOUR_MS, toMs: NOW } as const;
    const p50 = charts.query({ metric: 'latency_p50', ...q }, NOW);
    const p99 = charts.query({ metric: 'latency_p99', ...q }, NOW);
    expect(p50.series).toEqual(
      rollupSeries(rows, { metric: 'latency_p50', from: q.fromMs, to: q.toMs, stepMs: 5 * MIN }),
    );
    expect(p99.series).toEqual(
      rollupSeries(rows, { metric: 'latency_p99', from: q.fromMs, to: q.toMs, stepMs: 5 * MIN }),
    );
    const inRange = rows.findIndex((r) => r.t >= q.fromMs);
    const slow = {
      ...(rows[inRange] as RollupRow),
      latency: wire(Array.from({ length: 500 }, () => 50_000)),
      count: 500,
    };
    charts.putPage(MIN, [slow], []);
    const after = charts.query({ metric: 'latency_p50', ...q }, NOW);
    expect(after).not.toEqual(p50);
    expect(after.series).toEqual(
      rollupSeries(
        rows.map((r, i) => (i === inRange ? slow : r)),
        { metric: 'latency_p50', from: q.fromMs, to: q.toMs, stepMs: 5 * MIN },
      ),
    );
  });

  it('refuses a resolution it has no tier for', () => {
    expect(() => charts.putPage(5 * MIN, minutes().slice(0, 1), [])).toThrow(/no tier/);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeSketch, encodeSketch, newSketch } from '../../shared/rollup/sketch-codec.js';
import { logNormal, mulberry32 } from '../../shared/sim/random.js';

/** DDSketch via @datadog/sketches-js: ≤1% relative error, small serialised minutes, exact merges. */
const rng = mulberry32(42);
const DISTRIBUTIONS: Record<string, () => number> = {
  'log-normal latency (median 800 ms)': () => logNormal(rng, 800, 0.6),
  'uniform 10 ms..5 s': () => 10 + rng() * 4990,
  'exponential (mean 300 ms)': () => -300 * Math.log(1 - rng()),
  'bimodal (fast cache hits + slow generations)': () =>
    rng() < 0.7 ? logNormal(rng, 40, 0.3) : logNormal(rng, 4000, 0.4),
};

function exactQuantile(sorted: Float64Array, q: number): number {
  // The same rank definition DDSketch uses: q * (n - 1), rounded down.
  return sorted[Math.floor(q * (sorted.length - 1))] ?? NaN;
}

describe('latency sketch accuracy', () => {
  for (const [name, draw] of Object.entries(DISTRIBUTIONS)) {
    it(`p50/p95/p99 within 1% of exact on 200k samples: ${name}`, () => {
      const n = 200_000;
      const values = new Float64Array(n);
      const s = newSketch();
      for (let i = 0; i < n; i++) {
        values[i] = draw();
        s.accept(values[i] ?? 0);
      }
      values.sort();
      for (const q of [0.5, 0.95, 0.99]) {
        const exact = exactQuantile(values, q);
        expect(Math.abs(s.getValueAtQuantile(q) - exact) / exact, `q${q}`).toBeLessThanOrEqual(0.01);
      }
    });
  }

  it('a per-minute sketch serialises to at most 5 kB, even spread over 1 ms..60 s', () => {
    const s = newSketch();
    for (let i = 0; i < 100_000; i++) s.accept(Math.exp(rng() * Math.log(60_000)));
    const bytes = Buffer.byteLength(encodeSketch(s));
    expect(bytes).toBeLessThanOrEqual(5 * 1024);
    const back = decodeSketch(encodeSketch(s));
    expect(back.count).toBe(s.count);
    expect(back.getValueAtQuantile(0.95)).toBe(s.getValueAtQuantile(0.95));
    expect(back.min).toBe(s.min);
  });

  it('reads the v1 pair encoding too, and rejects unknown encodings', () => {
    const v1 = JSON.stringify({ v: 1, ra: 0.01, p: [[100, 3]], n: [], z: 0, sum: 300, min: 99, max: 101 });
    const s = decodeSketch(v1);
    expect(s.count).toBe(3);
    expect(() => decodeSketch(JSON.stringify({ v: 9, ra: 0.01 }))).toThrow(/unsupported sketch encoding/);
  });

  it('merging 60 minute-sketches equals one sketch of all values', () => {
    const all = newSketch();
    const merged = newSketch();
    for (let m = 0; m < 60; m++) {
      const minute = newSketch();
      for (let i = 0; i < 500; i++) {
        const v = logNormal(rng, 900, 0.5);
        minute.accept(v);
        all.accept(v);
      }
      merged.merge(decodeSketch(encodeSketch(minute)));
    }
    for (const q of [0.5, 0.95, 0.99]) expect(merged.getValueAtQuantile(q)).toBe(all.getValueAtQuantile(q));
    expect(merged.count).toBe(all.count);
  });
});

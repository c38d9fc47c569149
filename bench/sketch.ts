import { performance } from 'node:perf_hooks';
import { decodeSketch, encodeSketch, newSketch } from '../shared/rollup/sketch-codec.js';
import { logNormal, mulberry32 } from '../shared/sim/random.js';
import { fmt, printTable } from './stats.js';

/**
 * Latency sketch (DDSketch, @datadog/sketches-js, 1% relative accuracy): p50/p95/p99 vs exact
 * on 1M samples from several distributions, merge cost of 60 minute-sketches (an hour), and
 * the serialised size of one busy minute.
 */
export function benchSketch(opts: { samples: number }): void {
  const rng = mulberry32(7);
  const dists: Record<string, () => number> = {
    'log-normal (median 800 ms, σ 0.6)': () => logNormal(rng, 800, 0.6),
    'uniform 10 ms..5 s': () => 10 + rng() * 4990,
    'exponential (mean 300 ms)': () => -300 * Math.log(1 - rng()),
    'bimodal 40 ms / 4 s': () => (rng() < 0.7 ? logNormal(rng, 40, 0.3) : logNormal(rng, 4000, 0.4)),
    'pareto (heavy tail, α 1.5)': () => 100 / Math.pow(1 - rng(), 1 / 1.5),
  };
  const rows: Record<string, string>[] = [];
  for (const [name, draw] of Object.entries(dists)) {
    const values = new Float64Array(opts.samples);
    const s = newSketch();
    for (let i = 0; i < values.length; i++) {
      values[i] = draw();
      s.accept(values[i] ?? 0);
    }
    values.sort();
    const row: Record<string, string> = { distribution: name };
    let worst = 0;
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = values[Math.floor(q * (values.length - 1))] ?? NaN;
      const err = Math.abs(s.getValueAtQuantile(q) - exact) / exact;
      worst = Math.max(worst, err);
      row[`p${q * 100} err %`] = fmt(100 * err, 3);
    }
    row['max err ≤ 1%'] = worst <= 0.01 ? 'yes' : 'NO';
    rows.push(row);
  }
  printTable(`Sketch accuracy: ${fmt(opts.samples, 0)} samples per distribution (rank q·(n−1))`, rows);

  const minutes = Array.from({ length: 60 }, () => {
    const m = newSketch();
    for (let i = 0; i < 2_000; i++) m.accept(logNormal(rng, 900, 0.7));
    return decodeSketch(encodeSketch(m));
  });
  const runs = 200;
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) {
    const hour = newSketch();
    for (const m of minutes) hour.merge(m);
    if (hour.count !== 120_000) throw new Error('merge lost samples');
  }
  const mergeMs = (performance.now() - t0) / runs;
  const wide = newSketch();
  for (let i = 0; i < 100_000; i++) wide.accept(Math.exp(rng() * Math.log(60_000)));
  printTable('Sketch merge and size', [
    { figure: 'merge 60 minute-sketches (2,000 samples each)', value: `${fmt(mergeMs, 3)} ms`, target: '< 1 ms' },
    {
      figure: 'one minute, 2,000 log-normal samples, serialised',
      value: `${Buffer.byteLength(encodeSketch(minutes[0] ?? newSketch()))} B`,
      target: '≤ 5 kB',
    },
    {
      figure: 'one minute, 100,000 samples spread 1 ms..60 s, serialised',
      value: `${Buffer.byteLength(encodeSketch(wide))} B`,
      target: '≤ 5 kB',
    },
  ]);
}

import type { DDSketch } from '@datadog/sketches-js';
import { decodeSketch, encodeSketch, newSketch } from '../rollup/sketch-codec.js';
import type { EvalRun, RollupRow, Series, SeriesGroupBy, SeriesMetric, SeriesPoint } from '../protocol/series.js';
import { pooledRates } from './smoothing.js';
import { zeroRollupCounts } from './rollup-counts.js';

/**
 * Turns rollup rows (minute or hour buckets of single series) into chart points. Pure, and the
 * one implementation behind both the collector's `GET /v1/series` and the desktop cache's
 * `series.query`, so a chart reads the same whether it came live or from the cache.
 */
export interface SeriesRequest {
  metric: SeriesMetric;
  from: number;
  to: number;
  stepMs: number;
  by?: SeriesGroupBy | undefined;
}

const QUANTILE: Partial<Record<SeriesMetric, number>> = { latency_p50: 0.5, latency_p95: 0.95, latency_p99: 0.99 };

/** Running totals for one bucket of one output series. */
interface Acc {
  rows: number;
  count: number;
  errors: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  hits: number;
  misses: number;
  up: number;
  down: number;
  labels: Map<string, number>;
  sketch: DDSketch | null;
  unpriced: number;
}

function emptyAcc(): Acc {
  return {
    rows: 0,
    count: 0,
    errors: 0,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    hits: 0,
    misses: 0,
    up: 0,
    down: 0,
    labels: new Map(),
    sketch: null,
    unpriced: 0,
  };
}

function ratio(num: number, den: number): number | null {
  return den > 0 ? num / den : null;
}

/** First bucket start at or before `from`, aligned to the step (so 5-minute buckets start at :00, :05 …). */
export function bucketStarts(from: number, to: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = Math.floor(from / stepMs) * stepMs; t < to; t += stepMs) out.push(t);
  return out;
}

function valueOf(metric: SeriesMetric, a: Acc): number | null {
  if (a.rows === 0) return null;
  switch (metric) {
    case 'requests':
      return a.count;
    case 'error_rate':
      return ratio(a.errors, a.count);
    case 'cost_usd':
      // Only unpriced requests in the bucket: the cost is unknown, not $0.
      return a.unpriced > 0 && a.unpriced >= a.count ? null : a.costUsd;
    case 'tokens_in':
      return a.tokensIn;
    case 'tokens_out':
      return a.tokensOut;
    case 'retrieval_hit_rate':
      return ratio(a.hits, a.hits + a.misses);
    case 'negative_feedback_rate':
      return ratio(a.down, a.up + a.down);
    default: {
      const q = QUANTILE[metric];
      if (q === undefined || a.sketch === null || a.sketch.count === 0) return null;
      return a.sketch.getValueAtQuantile(q);
    }
  }
}

/** Rollup-backed metrics (everything but eval_accuracy). Rows outside [from, to) are ignored. */
export function rollupSeries(rows: Iterable<RollupRow>, req: SeriesRequest): Series[] {
  const starts = bucketStarts(req.from, req.to, req.stepMs);
  const first = starts[0] ?? req.from;
  const groups = new Map<string, { labels: Record<string, string>; accs: Acc[] }>();
  const wantsSketch = QUANTILE[req.metric] !== undefined;
  for (const r of rows) {
    if (r.t < first || r.t >= req.to) continue;
    const i = Math.floor((r.t - first) / req.stepMs);
    // One group per value of the group-by dimension (a single group without one).
    const key = req.by ? r[req.by] : '';
    let g = groups.get(key);
    if (!g) {
      g = { labels: req.by ? { [req.by]: key } : {}, accs: starts.map(emptyAcc) };
      groups.set(key, g);
    }
    const a = g.accs[i];
    if (!a) continue;
    a.rows += 1;
    a.count += r.count;
    a.errors += r.errors;
    a.tokensIn += r.tokensIn;
    a.tokensOut += r.tokensOut;
    a.costUsd += r.costUsd;
    a.unpriced += r.unpriced;
    a.hits += r.retrievalHits;
    a.misses += r.retrievalMisses;
    a.up += r.feedbackUp;
    a.down += r.feedbackDown;
    for (const label in r.outputLabels) a.labels.set(label, (a.labels.get(label) ?? 0) + (r.outputLabels[label] ?? 0));
    if (wantsSketch && r.latency !== '') {
      a.sketch ??= newSketch();
      a.sketch.merge(decodeSketch(r.latency));
    }
  }
  const out: Series[] = [];
  for (const g of groups.values()) {
    if (req.metric === 'output_label_share') out.push(...labelShares(g.labels, g.accs, starts));
    else out.push(plainSeries(req.metric, g.labels, g.accs, starts));
  }
  return sortSeries(out);
}

/** Proportions whose denominator the chart shows; feedback and retrieval are also pooled (smoothing.ts). */
const RATE_PARTS: Partial<Record<SeriesMetric, { of: (a: Acc) => [number, number]; pooled: boolean }>> = {
  error_rate: { of: (a) => [a.errors, a.count], pooled: false },
  retrieval_hit_rate: { of: (a) => [a.hits, a.hits + a.misses], pooled: true },
  negative_feedback_rate: { of: (a) => [a.down, a.up + a.down], pooled: true },
};

function plainSeries(metric: SeriesMetric, labels: Record<string, string>, accs: Acc[], starts: number[]): Series {
  const rate = RATE_PARTS[metric];
  if (rate) {
    const parts = accs.map((a) => rate.of(a));
    const totals = parts.map((p) => p[1]);
    if (rate.pooled) {
      const pooled = pooledRates(
        parts.map((p) => p[0]),
        totals,
      );
      return {
        labels,
        points: starts.map((t, i): SeriesPoint => [t, pooled.values[i] ?? null]),
        counts: pooled.counts,
      };
    }
    return {
      labels,
      points: starts.map((t, i): SeriesPoint => [t, valueOf(metric, accs[i] ?? emptyAcc())]),
      counts: totals,
    };
  }
  const unpriced = metric === 'cost_usd' ? accs.reduce((n, a) => n + a.unpriced, 0) : 0;
  return {
    labels,
    points: starts.map((t, i): SeriesPoint => [t, valueOf(metric, accs[i] ?? emptyAcc())]),
    ...(unpriced > 0 ? { unpriced } : {}),
  };
}

/** One series per output label: its share of the labelled responses in each bucket. */
function labelShares(base: Record<string, string>, accs: Acc[], starts: number[]): Series[] {
  const all = new Set<string>();
  for (const a of accs) for (const l of a.labels.keys()) all.add(l);
  return [...all].map((label) => ({
    labels: { ...base, label },
    points: starts.map((t, i): SeriesPoint => {
      const a = accs[i];
      if (!a || a.labels.size === 0) return [t, null];
      let total = 0;
      for (const n of a.labels.values()) total += n;
      return [t, ratio(a.labels.get(label) ?? 0, total)];
    }),
  }));
}

/** Mean accuracy of the runs of each suite per bucket (eval jobs run hourly to daily, so most buckets are gaps). */
export function evalSeries(runs: Iterable<EvalRun>, req: SeriesRequest): Series[] {
  const starts = bucketStarts(req.from, req.to, req.stepMs);
  const first = starts[0] ?? req.from;
  const suites = new Map<string, { sum: number; n: number }[]>();
  for (const r of runs) {
    if (r.ts < first || r.ts >= req.to) continue;
    let accs = suites.get(r.suite);
    if (!accs) {
      accs = starts.map(() => ({ sum: 0, n: 0 }));
      suites.set(r.suite, accs);
    }
    const a = accs[Math.floor((r.ts - first) / req.stepMs)];
    if (!a) continue;
    a.sum += r.accuracy;
    a.n += 1;
  }
  const out: Series[] = [...suites].map(([suite, accs]) => ({
    labels: { suite },
    points: starts.map((t, i): SeriesPoint => {
      const a = accs[i];
      return [t, a && a.n > 0 ? a.sum / a.n : null];
    }),
  }));
  return sortSeries(out);
}

function labelValues(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}\u0000${v}`)
    .join('\u0001');
}

export function sortSeries(series: Series[]): Series[] {
  // Plain code-unit order: localeCompare ignores the punctuation that separates "gpt-4o" from "gpt-4o-mini".
  return series.sort((a, b) => {
    const ka = labelValues(a.labels);
    const kb = labelValues(b.labels);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

/** Merges rows of the same series into `resolutionMs` buckets (used to downsample minutes into hours). */
export function downsampleRows(rows: Iterable<RollupRow>, resolutionMs: number): RollupRow[] {
  const merged = new Map<string, { row: RollupRow; sketch: DDSketch }>();
  for (const r of rows) {
    const t = Math.floor(r.t / resolutionMs) * resolutionMs;
    const key = JSON.stringify([r.service, r.provider, r.model, t]);
    let m = merged.get(key);
    if (!m) {
      m = {
        row: {
          ...r,
          t,
          ...zeroRollupCounts(),
        },
        sketch: newSketch(),
      };
      merged.set(key, m);
    }
    addRow(m.row, r);
    if (r.latency !== '') m.sketch.merge(decodeSketch(r.latency));
  }
  return [...merged.values()].map(({ row, sketch }) => ({ ...row, latency: encodeSketch(sketch) }));
}

function addRow(into: RollupRow, r: RollupRow): void {
  into.count += r.count;
  into.errors += r.errors;
  into.tokensIn += r.tokensIn;
  into.tokensOut += r.tokensOut;
  into.costUsd += r.costUsd;
  into.unpriced += r.unpriced;
  into.retrievalHits += r.retrievalHits;
  into.retrievalMisses += r.retrievalMisses;
  into.feedbackUp += r.feedbackUp;
  into.feedbackDown += r.feedbackDown;
  for (const [label, n] of Object.entries(r.outputLabels))
    into.outputLabels[label] = (into.outputLabels[label] ?? 0) + n;
}

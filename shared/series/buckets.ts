import type { RollupRow } from '../protocol/series.js';
import { denseFromWire, SketchMerger, type DenseSketch } from './dense-sketch.js';
import { zeroRollupCounts } from './rollup-counts.js';

/**
 * One cached bucket of one (service, provider, model): a rollup row with its sketch in dense
 * form. The chart cache keeps these at three tiers (1 min, 5 min, 1 h); a coarser tier's row is
 * `mergeBuckets` of the finer rows it covers, computed once at sync instead of at every query.
 */
export interface Bucket {
  t: number;
  service: string;
  provider: string;
  model: string;
  count: number;
  errors: number;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  unpriced: number;
  retrievalHits: number;
  retrievalMisses: number;
  feedbackUp: number;
  feedbackDown: number;
  outputLabels: Record<string, number>;
  sketch: DenseSketch;
}

/** Throws (naming the row) when its sketch does not parse: a page with one is refused whole. */
export function bucketFromRollup(r: RollupRow): Bucket {
  const { latency, ...rest } = r;
  return { ...rest, sketch: denseFromWire(latency) };
}

/** Rows of the same key merged into `resolutionMs` buckets (their start aligned down). Counts add; sketches merge. */
export function mergeBuckets(rows: Iterable<Bucket>, resolutionMs: number): Bucket[] {
  const merged = new Map<string, { b: Bucket; sketch: SketchMerger }>();
  for (const r of rows) {
    const t = Math.floor(r.t / resolutionMs) * resolutionMs;
    const key = `${t}\u0000${r.service}\u0000${r.provider}\u0000${r.model}`;
    let m = merged.get(key);
    if (!m) {
      m = {
        b: {
          ...r,
          t,
          ...zeroRollupCounts(),
        },
        sketch: new SketchMerger(),
      };
      merged.set(key, m);
    }
    const b = m.b;
    b.count += r.count;
    b.errors += r.errors;
    b.tokensIn += r.tokensIn;
    b.tokensOut += r.tokensOut;
    b.costUsd += r.costUsd;
    b.unpriced += r.unpriced;
    b.retrievalHits += r.retrievalHits;
    b.retrievalMisses += r.retrievalMisses;
    b.feedbackUp += r.feedbackUp;
    b.feedbackDown += r.feedbackDown;
    for (const label in r.outputLabels)
      b.outputLabels[label] = (b.outputLabels[label] ?? 0) + (r.outputLabels[label] ?? 0);
    m.sketch.add(r.sketch);
  }
  return [...merged.values()].map(({ b, sketch }) => ({ ...b, sketch: sketch.result() }));
}

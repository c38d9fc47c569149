/**
 * The additive part of a rollup: everything in a bucket except its key and its latency sketch.
 * Minute buckets, hourly rows and rule windows are all sums of these.
 */
export interface Agg {
  count: number;
  errors: number;
  errorTypes: Record<string, number>;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  /** Events whose model has no price; their cost is unknown, not zero. */
  unpriced: number;
  outputLabels: Record<string, number>;
  retrievalHits: number;
  retrievalMisses: number;
  feedbackUp: number;
  feedbackDown: number;
}

export function emptyAgg(): Agg {
  return {
    count: 0,
    errors: 0,
    errorTypes: {},
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    unpriced: 0,
    outputLabels: {},
    retrievalHits: 0,
    retrievalMisses: 0,
    feedbackUp: 0,
    feedbackDown: 0,
  };
}

export function addCounts(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const k in from) into[k] = (into[k] ?? 0) + (from[k] ?? 0);
}

/** into += from (label and error-type maps merged key by key). */
export function addAgg(into: Agg, from: Readonly<Agg>): void {
  into.count += from.count;
  into.errors += from.errors;
  addCounts(into.errorTypes, from.errorTypes);
  into.tokensIn += from.tokensIn;
  into.tokensOut += from.tokensOut;
  into.costUsd += from.costUsd;
  into.unpriced += from.unpriced;
  addCounts(into.outputLabels, from.outputLabels);
  into.retrievalHits += from.retrievalHits;
  into.retrievalMisses += from.retrievalMisses;
  into.feedbackUp += from.feedbackUp;
  into.feedbackDown += from.feedbackDown;
}

/** A copy that shares nothing mutable with `a`. */
export function cloneAgg(a: Readonly<Agg>): Agg {
  const out = emptyAgg();
  addAgg(out, a);
  return out;
}

import type { RollupRow } from '../protocol/series.js';

/** A rollup row's counters: what merging rows adds up (the dims, time and sketch are handled apart). */
export type RollupCounts = Omit<RollupRow, 't' | 'service' | 'provider' | 'model' | 'latency'>;

/** Zeroed counters (a fresh label map each call), the start of every merge. */
export function zeroRollupCounts(): RollupCounts {
  return {
    count: 0,
    errors: 0,
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    unpriced: 0,
    retrievalHits: 0,
    retrievalMisses: 0,
    feedbackUp: 0,
    feedbackDown: 0,
    outputLabels: {},
  };
}

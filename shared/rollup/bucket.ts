import type { DDSketch } from '@datadog/sketches-js';
import type { LlmEvent } from '../protocol/events.js';
import { emptyAgg, type Agg } from './agg.js';
import { newSketch } from './sketch-codec.js';
import type { SeriesKey } from './window.js';

/** One per-minute rollup of one (service, provider, model) series, keyed by EVENT time. */
export interface MinuteBucket extends SeriesKey, Agg {
  minute: number;
  latency: DDSketch;
}

export function emptyBucket(key: SeriesKey, minute: number): MinuteBucket {
  return { ...key, minute, ...emptyAgg(), latency: newSketch() };
}

/** Folds one validated event (with its resolved cost, or null when unpriced) into the bucket. */
export function addToBucket(b: MinuteBucket, e: LlmEvent, cost: number | null): void {
  b.count += 1;
  if (e.status === 'error') {
    b.errors += 1;
    const t = e.error_type ?? 'unknown';
    b.errorTypes[t] = (b.errorTypes[t] ?? 0) + 1;
  }
  b.latency.accept(e.latency_ms);
  b.tokensIn += e.input_tokens;
  b.tokensOut += e.output_tokens;
  if (cost === null) b.unpriced += 1;
  else b.costUsd += cost;
  if (e.output_label !== undefined) b.outputLabels[e.output_label] = (b.outputLabels[e.output_label] ?? 0) + 1;
  if (e.retrieval_hit === true) b.retrievalHits += 1;
  if (e.retrieval_hit === false) b.retrievalMisses += 1;
  if (e.feedback === 'up') b.feedbackUp += 1;
  if (e.feedback === 'down') b.feedbackDown += 1;
}

import { evalSeries, rollupSeries } from '../../../shared/series/aggregate.js';
import { STEP_MS, type SeriesQuery, type SeriesResponse } from '../../../shared/protocol/series.js';
import type { SeriesStore } from '../store/series-store.js';

const SKETCH_METRICS = new Set(['latency_p50', 'latency_p95', 'latency_p99']);

/** Answers `GET /v1/series` from the minute rollups (and eval runs). */
export function querySeries(store: SeriesStore, q: SeriesQuery): SeriesResponse {
  const req = { metric: q.metric, from: q.from, to: q.to, stepMs: STEP_MS[q.step], by: q.by };
  // Buckets are aligned to the step, so the first one may start before `from`.
  const alignedFrom = Math.floor(q.from / req.stepMs) * req.stepMs;
  if (q.metric === 'eval_accuracy') {
    return { metric: q.metric, step: q.step, series: evalSeries(store.evalRuns(alignedFrom, q.to), req) };
  }
  const rows = store.rollups(alignedFrom, q.to, q, SKETCH_METRICS.has(q.metric));
  return { metric: q.metric, step: q.step, series: rollupSeries(rows, req) };
}

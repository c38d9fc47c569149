import { evalSeries, rollupSeries } from '../../../shared/series/aggregate.js';
import {
  DEFAULT_SERIES_LIMIT,
  STEP_MS,
  type RollupRow,
  type SeriesQuery,
  type SeriesResponse,
} from '../../../shared/protocol/series.js';
import type { ChartRules } from '../../../shared/protocol/series.js';
import { seriesReference } from '../../../shared/series/reference.js';
import type { SeriesStore } from '../store/series-store.js';
import { storeReferenceSource } from './reference-source.js';
import { seriesBudget, topKeys } from './series-limit.js';

const SKETCH_METRICS = new Set(['latency_p50', 'latency_p95', 'latency_p99']);

/** Output labels outside the kept set are counted under this key: shares stay right, its series is dropped. */
const REST_LABEL = '\u0000rest';

/**
 * Answers `GET /v1/series` from the minute rollups (and eval runs), at most `limit` series
 * (and MAX_RESPONSE_POINTS points). When the answer could split into more series than that, a
 * first pass without sketches sums each series' request volume, and the second builds only the
 * busiest: memory stays bounded by the answer, not by how many values a label has.
 */
export function querySeries(store: SeriesStore, q: SeriesQuery, rules?: ChartRules): SeriesResponse {
  const answer = seriesOnly(store, q);
  if (!rules) return answer;
  const suites = answer.series.map((s) => s.labels['suite']).filter((s): s is string => s !== undefined);
  const filter = { service: q.service, provider: q.provider, model: q.model };
  const reference = seriesReference(rules, storeReferenceSource(store, filter), {
    metric: q.metric,
    at: q.to,
    filter,
    suites,
  });
  return reference ? { ...answer, reference } : answer;
}

function seriesOnly(store: SeriesStore, q: SeriesQuery): SeriesResponse {
  const req = { metric: q.metric, from: q.from, to: q.to, stepMs: STEP_MS[q.step], by: q.by };
  // Buckets are aligned to the step, so the first one may start before `from`.
  const alignedFrom = Math.floor(q.from / req.stepMs) * req.stepMs;
  const limit = seriesBudget(q.limit ?? DEFAULT_SERIES_LIMIT, alignedFrom, q.to, req.stepMs);
  if (q.metric === 'eval_accuracy') {
    const runs = store.evalRuns(alignedFrom, q.to);
    const volume = new Map<string, number>();
    for (const r of runs) volume.set(r.suite, (volume.get(r.suite) ?? 0) + 1);
    const keep = topKeys(volume, limit);
    const series = evalSeries(keep ? runs.filter((r) => keep.has(r.suite)) : runs, req);
    return { metric: q.metric, step: q.step, series, ...truncation(keep, volume) };
  }
  const labelShare = q.metric === 'output_label_share';
  // One series per `by` value (and per output label for label shares); otherwise just one.
  if (!q.by && !labelShare) {
    const rows = store.rollups(alignedFrom, q.to, q, SKETCH_METRICS.has(q.metric));
    return { metric: q.metric, step: q.step, series: rollupSeries(rows, req) };
  }
  const groupOf = (r: RollupRow): string => (q.by ? r[q.by] : '');
  const volume = new Map<string, number>();
  for (const r of store.rollups(alignedFrom, q.to, q, false)) {
    if (r.t >= q.to) continue;
    if (labelShare) {
      const g = groupOf(r);
      for (const label in r.outputLabels) add(volume, seriesId(g, label), r.outputLabels[label] ?? 0);
    } else {
      add(volume, groupOf(r), r.count);
    }
  }
  const keep = topKeys(volume, limit);
  const rows = store.rollups(alignedFrom, q.to, q, SKETCH_METRICS.has(q.metric));
  if (!keep) return { metric: q.metric, step: q.step, series: rollupSeries(rows, req) };
  const kept = labelShare ? keepLabels(rows, keep, groupOf) : keepGroups(rows, keep, groupOf);
  const series = rollupSeries(kept, req).filter((s) => s.labels['label'] !== REST_LABEL);
  return { metric: q.metric, step: q.step, series, ...truncation(keep, volume) };
}

function add(m: Map<string, number>, k: string, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

function seriesId(group: string, label: string): string {
  return JSON.stringify([group, label]);
}

function truncation(keep: ReadonlySet<string> | undefined, volume: ReadonlyMap<string, number>) {
  return keep ? { truncated: true as const, totalSeries: volume.size } : {};
}

function* keepGroups(
  rows: Iterable<RollupRow>,
  keep: ReadonlySet<string>,
  groupOf: (r: RollupRow) => string,
): IterableIterator<RollupRow> {
  for (const r of rows) if (keep.has(groupOf(r))) yield r;
}

/** Labels not kept are merged under REST_LABEL, so each kept label's share keeps its denominator. */
function* keepLabels(
  rows: Iterable<RollupRow>,
  keep: ReadonlySet<string>,
  groupOf: (r: RollupRow) => string,
): IterableIterator<RollupRow> {
  for (const r of rows) {
    const g = groupOf(r);
    const labels: Record<string, number> = {};
    for (const label in r.outputLabels) {
      const k = keep.has(seriesId(g, label)) ? label : REST_LABEL;
      labels[k] = (labels[k] ?? 0) + (r.outputLabels[label] ?? 0);
    }
    yield { ...r, outputLabels: labels };
  }
}

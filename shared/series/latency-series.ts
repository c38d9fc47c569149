import type { Series, SeriesPoint } from '../protocol/series.js';
import { bucketStarts, sortSeries, type SeriesRequest } from './aggregate.js';
import { SketchMerger, type DenseSketch } from './dense-sketch.js';

export const LATENCY_QUANTILES = { latency_p50: 0.5, latency_p95: 0.95, latency_p99: 0.99 } as const;
export type LatencyMetric = keyof typeof LATENCY_QUANTILES;

export interface SketchRow {
  t: number;
  service: string;
  provider: string;
  model: string;
  sketch: DenseSketch;
}

/**
 * p50, p95 and p99 from one merge per output bucket (the latency chart shows all three, and a
 * merge costs far more than reading three quantiles off it). Same points as `rollupSeries` gives
 * for each latency metric over the same rows.
 */
export function latencySeries(
  rows: Iterable<SketchRow>,
  req: Omit<SeriesRequest, 'metric'>,
): Record<LatencyMetric, Series[]> {
  const starts = bucketStarts(req.from, req.to, req.stepMs);
  const first = starts[0] ?? req.from;
  const groups = new Map<string, (SketchMerger | null)[]>();
  for (const r of rows) {
    if (r.t < first || r.t >= req.to) continue;
    const i = Math.floor((r.t - first) / req.stepMs);
    const key = req.by ? r[req.by] : '';
    let g = groups.get(key);
    if (!g) {
      g = starts.map(() => null);
      groups.set(key, g);
    }
    (g[i] ??= new SketchMerger()).add(r.sketch);
  }
  const out: Record<LatencyMetric, Series[]> = { latency_p50: [], latency_p95: [], latency_p99: [] };
  for (const [key, merged] of groups) {
    const labels = req.by ? { [req.by]: key } : {};
    for (const metric of Object.keys(LATENCY_QUANTILES) as LatencyMetric[]) {
      const q = LATENCY_QUANTILES[metric];
      out[metric].push({
        labels: { ...labels },
        points: starts.map((t, i): SeriesPoint => [t, merged[i]?.quantile(q) ?? null]),
      });
    }
  }
  for (const metric of Object.keys(out) as LatencyMetric[]) sortSeries(out[metric]);
  return out;
}

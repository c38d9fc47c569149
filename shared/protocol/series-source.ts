import { z } from 'zod';
import { SeriesMetric } from './series.js';

/**
 * `GET /v1/series/source` (issue 17): where the collector's `GET /v1/series` reads chart series
 * from, so a desktop knows whether its chart cache (synced from `/v1/rollups`, the collector's
 * own traffic) charts the same thing. `local`: it does, the desktop answers from its cache.
 * `prometheus`: the listed metrics come from the organisation's Prometheus, which the cache does
 * not hold, so the desktop asks `GET /v1/series` for them; the others stay local. The Prometheus
 * URL is not told: desktops never talk to it.
 */
export const SeriesSourceInfo = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('local') }),
  z.object({
    kind: z.literal('prometheus'),
    /** The metrics `GET /v1/series` answers from Prometheus (those with a GenAI metric behind them). */
    metrics: z.array(SeriesMetric).max(SeriesMetric.options.length),
  }),
]);
export type SeriesSourceInfo = z.infer<typeof SeriesSourceInfo>;

import { z } from 'zod';
import { MINUTE_MS } from '../clock.js';
import { Duration } from './duration.js';

/** Default and bounds of the Prometheus chart source's per-query timeout. */
export const DEFAULT_PROM_QUERY_TIMEOUT_MS = 10_000;
export const MAX_PROM_QUERY_TIMEOUT_MS = MINUTE_MS;
/** Default and bound of the answer size read from Prometheus per query. */
export const DEFAULT_PROM_MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
export const MAX_PROM_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

/**
 * Where `GET /v1/series` reads chart series from (issue 17): the collector's own rollups
 * (`local`, the default) or a Prometheus HTTP API (`query_range` over the GenAI metrics the
 * collector exports, for an organisation whose Prometheus holds the fleet's traffic).
 */
export const SeriesSourceConfig = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local') }),
  z.strictObject({
    kind: z.literal('prometheus'),
    /** The Prometheus (or Mimir/Thanos querier) base URL; `/api/v1/query_range` is appended. */
    url: z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, '')),
    timeout: Duration.refine((ms) => ms > 0 && ms <= MAX_PROM_QUERY_TIMEOUT_MS, {
      message: `timeout must be positive and at most ${MAX_PROM_QUERY_TIMEOUT_MS / 1000}s`,
    }).default(DEFAULT_PROM_QUERY_TIMEOUT_MS),
    maxResponseBytes: z
      .number()
      .int()
      .positive()
      .max(MAX_PROM_MAX_RESPONSE_BYTES)
      .default(DEFAULT_PROM_MAX_RESPONSE_BYTES),
  }),
]);
export type SeriesSourceConfig = z.output<typeof SeriesSourceConfig>;

export const SeriesConfig = z.strictObject({
  source: SeriesSourceConfig.default({ kind: 'local' }),
});

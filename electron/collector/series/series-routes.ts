import type { z } from 'zod';
import {
  RollupsQuery,
  SeriesQuery,
  type ChartRules,
  type RollupsPage,
  type SeriesResponse,
} from '../../../shared/protocol/series.js';
import { HttpError } from '../http/http-error.js';
import type { SeriesStore } from '../store/series-store.js';
import { exportRollups } from './rollup-export.js';
import { querySeries } from './series-query.js';
import { PROMETHEUS_SERIES_METRICS, type PrometheusSeries } from './prometheus-series.js';
import type { SeriesSourceInfo } from '../../../shared/protocol/series-source.js';

/**
 * Query strings → validated queries. A repeated or unknown parameter is a 400 naming it (a
 * silently ignored `servcie=` would chart everything and look right).
 */
function parseParams<S extends z.ZodType>(schema: S, params: URLSearchParams): z.output<S> {
  const raw: Record<string, string> = {};
  for (const [k, v] of params) {
    if (k in raw) throw new HttpError(400, 'invalid_field', `${k} is given more than once`, k);
    raw[k] = v;
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data as z.output<S>;
  const issue = r.error.issues[0];
  if (!issue) throw new HttpError(400, 'bad_request', 'invalid query');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '(unknown)';
    throw new HttpError(400, 'invalid_field', `unknown parameter ${key}`, key);
  }
  const field = issue.path.map(String).join('.') || '(root)';
  const missing = issue.code === 'invalid_type' && raw[field] === undefined;
  throw new HttpError(400, 'invalid_field', missing ? `${field} is required` : `${field}: ${issue.message}`, field);
}

/** `GET /v1/series` from a Prometheus (`series.source.kind: prometheus`), same validation and shape. */
export function handleSeriesFromPrometheus(source: PrometheusSeries, params: URLSearchParams): Promise<SeriesResponse> {
  return source.query(parseParams(SeriesQuery, params));
}

/** `GET /v1/series/source`: whether desktops can chart from their rollup cache or must ask `GET /v1/series`. */
export function seriesSourceInfo(source: PrometheusSeries | undefined): SeriesSourceInfo {
  return source ? { kind: 'prometheus', metrics: [...PROMETHEUS_SERIES_METRICS] } : { kind: 'local' };
}

/** With `rules` (the collector's configured thresholds), answers carry the rule's reference lines. */
export function handleSeries(store: SeriesStore, params: URLSearchParams, rules?: ChartRules): SeriesResponse {
  return querySeries(store, parseParams(SeriesQuery, params), rules);
}

/** With `rules`, every page carries them, so the desktop cache draws the same lines offline. */
export function handleRollups(store: SeriesStore, params: URLSearchParams, rules?: ChartRules): RollupsPage {
  const page = exportRollups(store, parseParams(RollupsQuery, params));
  return rules ? { ...page, rules } : page;
}

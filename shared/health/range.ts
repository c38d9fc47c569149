import { DateTime } from 'luxon';
import { MAX_HEALTH_RANGE_MS } from '../protocol/health.js';

/** What a URLSearchParams offers (shared/ has no DOM or node types). */
export interface QueryParams {
  get(name: string): string | null;
}

export type RangeResult = { ok: true; fromMs: number; toMs: number } | { ok: false; field: string; message: string };

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(raw: string | null, field: string): number | { field: string; message: string } {
  if (raw === null || raw === '') return { field, message: `${field} is required (an ISO 8601 time)` };
  // luxon refuses impossible dates (2026-02-30) that Date.parse rolls over into March.
  const dt = ISO.test(raw) ? DateTime.fromISO(raw, { setZone: true }) : undefined;
  const ms = dt?.isValid === true ? dt.toMillis() : NaN;
  if (!Number.isFinite(ms))
    return { field, message: `${field} must be an ISO 8601 time with a zone, like 2026-12-01T00:00:00Z` };
  return ms;
}

/** `from` and `to` of a health query: both required, ISO with a zone, from < to, at most MAX_HEALTH_RANGE_MS apart. */
export function parseHealthRange(params: QueryParams): RangeResult {
  const from = instant(params.get('from'), 'from');
  if (typeof from !== 'number') return { ok: false, ...from };
  const to = instant(params.get('to'), 'to');
  if (typeof to !== 'number') return { ok: false, ...to };
  if (to <= from) return { ok: false, field: 'to', message: 'to must be after from' };
  if (to - from > MAX_HEALTH_RANGE_MS) {
    return {
      ok: false,
      field: 'to',
      message: `a health query covers at most ${MAX_HEALTH_RANGE_MS / 86_400_000} days`,
    };
  }
  return { ok: true, fromMs: from, toMs: to };
}

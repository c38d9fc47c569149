import { downsampleRows } from '../../../shared/series/aggregate.js';
import type { RollupRow, RollupsPage, RollupsQuery } from '../../../shared/protocol/series.js';
import type { SeriesStore } from '../store/series-store.js';

export const DEFAULT_ROLLUP_PAGE_ROWS = 2_000;
const RESOLUTION_MS = { '1m': 60_000, '1h': 3_600_000 } as const;

/**
 * `GET /v1/rollups`: whole rollup rows (sketch included) for the desktop cache, at minute or
 * hour resolution, paged by time: a page ends on a bucket boundary once it holds `limit` rows,
 * and `next` is where the following page starts.
 */
export function exportRollups(store: SeriesStore, q: RollupsQuery): RollupsPage {
  const res = RESOLUTION_MS[q.resolution];
  const limit = q.limit ?? DEFAULT_ROLLUP_PAGE_ROWS;
  const from = Math.floor(q.from / res) * res;
  const to = q.to ?? Number.MAX_SAFE_INTEGER;
  const rows: RollupRow[] = [];
  let bucket: RollupRow[] = [];
  let bucketStart = -1;
  let next: number | undefined;
  const flush = (): void => {
    if (bucket.length === 0) return;
    rows.push(...(q.resolution === '1m' ? bucket : downsampleRows(bucket, res)));
    bucket = [];
  };
  // Minute pages carry minute rows only; hour pages also read the downsampled history.
  const source = q.resolution === '1m' ? store.minutes(from, to, {}, true) : store.rollups(from, to, {}, true);
  for (const r of source) {
    const start = Math.floor(r.t / res) * res;
    if (start !== bucketStart) {
      flush();
      if (rows.length >= limit) {
        next = start;
        break; // leaving the loop closes the SQLite iterator
      }
      bucketStart = start;
    }
    bucket.push(r);
  }
  flush();
  const spanEnd = next ?? to;
  return {
    resolution: q.resolution,
    rows,
    evals: store.evalRuns(from, spanEnd),
    ...(next !== undefined ? { next } : {}),
  };
}

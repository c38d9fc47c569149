import { downsampleRows } from '../../../shared/series/aggregate.js';
import {
  MAX_ROLLUP_BUCKET_ROWS,
  type RollupRow,
  type RollupsPage,
  type RollupsQuery,
} from '../../../shared/protocol/series.js';
import { OTHER_LABEL_VALUE } from '../ingest/label-cap.js';
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
  let truncated = false;
  /** The bucket's rows, one per series, at most MAX_ROLLUP_BUCKET_ROWS of them. */
  const merged = (): RollupRow[] => {
    const out = q.resolution === '1m' ? bucket : downsampleRows(bucket, res);
    if (out.length <= MAX_ROLLUP_BUCKET_ROWS) return out;
    truncated = true;
    return foldTail(out, res);
  };
  const flush = (): void => {
    if (bucket.length === 0) return;
    rows.push(...merged());
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
    // A bucket with very many series (an hour: series × 60 minutes) is merged while it is read.
    if (bucket.length >= 2 * MAX_ROLLUP_BUCKET_ROWS) bucket = merged();
  }
  flush();
  const spanEnd = next ?? to;
  return {
    resolution: q.resolution,
    rows,
    evals: store.evalRuns(from, spanEnd),
    ...(next !== undefined ? { next } : {}),
    ...(truncated ? { truncated: true as const } : {}),
  };
}

const OTHER_KEY = { service: OTHER_LABEL_VALUE, provider: OTHER_LABEL_VALUE, model: OTHER_LABEL_VALUE };

function isOther(r: RollupRow): boolean {
  return r.service === OTHER_LABEL_VALUE && r.provider === OTHER_LABEL_VALUE && r.model === OTHER_LABEL_VALUE;
}

/**
 * One bucket's rows (one per series) cut to MAX_ROLLUP_BUCKET_ROWS: the busiest series stay,
 * the rest are merged into a single other/other/other row, so the bucket's totals are unchanged.
 */
function foldTail(rows: RollupRow[], res: number): RollupRow[] {
  const ranked = rows.filter((r) => !isOther(r)).sort((a, b) => b.count - a.count);
  const keep = ranked.slice(0, MAX_ROLLUP_BUCKET_ROWS - 1);
  const rest = [...ranked.slice(MAX_ROLLUP_BUCKET_ROWS - 1), ...rows.filter(isOther)];
  return [
    ...keep,
    ...downsampleRows(
      rest.map((r) => ({ ...r, ...OTHER_KEY })),
      res,
    ),
  ];
}

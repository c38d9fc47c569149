import { toIso } from '../../../../shared/clock.js';
import { RollupsPage, type RollupResolution } from '../../../../shared/protocol/series.js';
import { CollectorPull, type CollectorPullOptions } from '../collector-pull.js';
import type { Logger } from '../runtime.js';
import {
  DEFAULT_CHART_RETENTION,
  HOUR_RES,
  MINUTE_RES,
  minuteBoundary,
  retentionStart,
  type ChartRetention,
} from './retention.js';
import type { SeriesCache } from './series-cache.js';

export type { ConnectionSignal } from '../poller.js';

/** The chart sync only warns (tests and hosts may hand it a warn-only log). */
export type SeriesLog = Pick<Logger, 'warn'>;

export interface SeriesSyncOptions extends CollectorPullOptions {
  cache: SeriesCache;
  retention?: ChartRetention;
  /** Rows per `/v1/rollups` page. */
  pageRows?: number;
  /** Late events land in minutes we already have: each poll re-reads this much before the high-water mark. */
  overlapMs?: number;
}

export const SERIES_POLL_MS = 60_000;
const DEFAULT_OVERLAP_MS = 15 * 60_000;
/** Small pages keep each commit short (well under 40 ms), so alert sync and Api calls interleave. */
const DEFAULT_PAGE_ROWS = 500;
/** A misbehaving collector must not keep us paging forever. */
const MAX_PAGES_PER_PULL = 2_000;

/**
 * Keeps the chart cache filled from the collector's `GET /v1/rollups`: on every connect and
 * every minute while connected. Pulls hours for the part of the last 30 days beyond the minute
 * window when the cache lacks them, then minutes from the high-water mark (less an overlap for
 * late data). All network I/O is async and each page commits in its own short transaction, so
 * neither the UI nor the alert replica waits on it.
 */
export class SeriesSync extends CollectorPull<string> {
  private readonly retention: ChartRetention;

  constructor(private readonly opts: SeriesSyncOptions) {
    super(opts, 'series sync', SERIES_POLL_MS);
    this.retention = opts.retention ?? DEFAULT_CHART_RETENTION;
  }

  protected async pull(): Promise<void> {
    const { cache } = this.opts;
    const now = this.clock.now();
    const boundary = minuteBoundary(now, this.retention);
    const oldest = retentionStart(now, this.retention);
    // Compact first: an hourly page replaces whole hours, so local minutes must already be folded in.
    cache.compact(now);
    const { syncedTo } = cache.syncState();
    const overlap = this.opts.overlapMs ?? DEFAULT_OVERLAP_MS;
    let high: number | null = null;
    if (syncedTo === null || syncedTo < boundary) {
      const from = Math.max(
        oldest,
        syncedTo === null ? oldest : Math.floor((syncedTo - overlap) / HOUR_RES) * HOUR_RES,
      );
      if (from < boundary) await this.pullRange('1h', from, boundary);
      // Everything before the minute window is now in the cache, rows or not.
      high = boundary;
    }
    const from = Math.max(boundary, syncedTo === null ? boundary : syncedTo - overlap);
    const minuteHigh = await this.pullRange('1m', Math.floor(from / MINUTE_RES) * MINUTE_RES, undefined);
    if (minuteHigh !== null) high = Math.max(high ?? minuteHigh, minuteHigh);
    if (this.disposed) return;
    const at = toIso(this.clock.now());
    cache.markSynced(high, at);
    this.emitChanged(at);
  }

  /** Pages through one range; returns the latest bucket start received, or null if none. */
  private async pullRange(resolution: RollupResolution, from: number, to: number | undefined): Promise<number | null> {
    const res = resolution === '1m' ? MINUTE_RES : HOUR_RES;
    let cursor = from;
    let high: number | null = null;
    for (let page = 0; page < MAX_PAGES_PER_PULL; page++) {
      if (this.disposed) return high;
      const body = await this.fetchPage(resolution, cursor, to);
      this.opts.cache.putPage(res, body.rows, body.evals);
      if (body.rules) this.opts.cache.putRules(body.rules);
      if (body.truncated)
        this.log.warn(`series sync: a ${resolution} bucket had too many series; the quietest are charted as other`);
      for (const r of body.rows) if (high === null || r.t > high) high = r.t;
      if (body.next === undefined) return high;
      if (body.next <= cursor) throw new Error(`collector returned a page cursor that does not advance (${body.next})`);
      cursor = body.next;
    }
    throw new Error(`more than ${MAX_PAGES_PER_PULL} pages of ${resolution} rollups; stopping this pull`);
  }

  private fetchPage(resolution: RollupResolution, from: number, to: number | undefined): Promise<RollupsPage> {
    const query = new URLSearchParams({ resolution, from: String(from) });
    if (to !== undefined) query.set('to', String(to));
    query.set('limit', String(this.opts.pageRows ?? DEFAULT_PAGE_ROWS));
    return this.getJson(`/v1/rollups?${query}`, RollupsPage, 'page');
  }
}

import { systemClock, toIso, type Clock } from '../../../../shared/clock.js';
import { describeZodError } from '../../../../shared/protocol/errors.js';
import { RollupsPage, type RollupResolution } from '../../../../shared/protocol/series.js';
import { Poller, type ConnectionSignal } from '../poller.js';
import { silentLogger, systemTimers, type Logger, type Timers } from '../runtime.js';
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

export interface SeriesSyncOptions {
  collectorUrl: string;
  token: string;
  cache: SeriesCache;
  connection: ConnectionSignal;
  clock?: Clock;
  timers?: Timers;
  log?: SeriesLog;
  retention?: ChartRetention;
  /** Between polls while connected (brief: every minute). */
  intervalMs?: number;
  /** Rows per `/v1/rollups` page. */
  pageRows?: number;
  /** Late events land in minutes we already have: each poll re-reads this much before the high-water mark. */
  overlapMs?: number;
  fetch?: typeof fetch;
}

export const SERIES_POLL_MS = 60_000;
const DEFAULT_OVERLAP_MS = 15 * 60_000;
/** Small pages keep each commit short (well under 40 ms), so alert sync and Api calls interleave. */
const DEFAULT_PAGE_ROWS = 500;
const REQUEST_TIMEOUT_MS = 30_000;
/** A misbehaving collector must not keep us paging forever. */
const MAX_PAGES_PER_PULL = 2_000;

/**
 * Keeps the chart cache filled from the collector's `GET /v1/rollups`: on every connect and
 * every minute while connected. Pulls hours for the part of the last 30 days beyond the minute
 * window when the cache lacks them, then minutes from the high-water mark (less an overlap for
 * late data). All network I/O is async and each page commits in its own short transaction, so
 * neither the UI nor the alert replica waits on it.
 */
export class SeriesSync {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: SeriesLog;
  private readonly retention: ChartRetention;
  private readonly changed = new Set<(syncedAt: string) => void>();
  private readonly poller: Poller;
  private abort: AbortController | null = null;

  constructor(private readonly opts: SeriesSyncOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.log = opts.log ?? silentLogger;
    this.retention = opts.retention ?? DEFAULT_CHART_RETENTION;
    this.poller = new Poller({
      name: 'series sync',
      connection: opts.connection,
      intervalMs: opts.intervalMs ?? SERIES_POLL_MS,
      run: () => this.pull(),
      timers: this.timers,
      log: this.log,
    });
  }

  private get disposed(): boolean {
    return this.poller.disposed;
  }

  start(): void {
    this.poller.start();
  }

  dispose(): void {
    this.poller.dispose();
    this.abort?.abort();
    this.changed.clear();
  }

  /** Called with the sync time after each pull that committed. */
  onChanged(listener: (syncedAt: string) => void): () => void {
    this.changed.add(listener);
    return () => this.changed.delete(listener);
  }

  /** Resolves when no pull is running or queued. */
  idle(): Promise<void> {
    return this.poller.idle();
  }

  /** One pull; concurrent calls share it (and one more runs after, if asked for meanwhile). Never rejects. */
  syncNow(): Promise<void> {
    return this.poller.runNow();
  }

  private async pull(): Promise<void> {
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
    for (const l of [...this.changed]) {
      try {
        l(at);
      } catch (err) {
        this.log.warn(`series sync: listener failed: ${String(err)}`);
      }
    }
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
      for (const r of body.rows) if (high === null || r.t > high) high = r.t;
      if (body.next === undefined) return high;
      if (body.next <= cursor) throw new Error(`collector returned a page cursor that does not advance (${body.next})`);
      cursor = body.next;
    }
    throw new Error(`more than ${MAX_PAGES_PER_PULL} pages of ${resolution} rollups; stopping this pull`);
  }

  private async fetchPage(resolution: RollupResolution, from: number, to: number | undefined): Promise<RollupsPage> {
    const url = new URL('/v1/rollups', this.opts.collectorUrl);
    url.searchParams.set('resolution', resolution);
    url.searchParams.set('from', String(from));
    if (to !== undefined) url.searchParams.set('to', String(to));
    url.searchParams.set('limit', String(this.opts.pageRows ?? DEFAULT_PAGE_ROWS));
    const abort = new AbortController();
    this.abort = abort;
    const timeout = this.timers.setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      const res = await (this.opts.fetch ?? fetch)(url, {
        headers: { authorization: `Bearer ${this.opts.token}` },
        signal: abort.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET /v1/rollups answered ${res.status}: ${text.slice(0, 200)}`);
      const parsed = RollupsPage.safeParse(JSON.parse(text));
      if (!parsed.success) {
        const { field, message } = describeZodError(parsed.error);
        throw new Error(`GET /v1/rollups sent an invalid page (${field}: ${message})`);
      }
      return parsed.data;
    } finally {
      this.timers.clearTimeout(timeout);
      if (this.abort === abort) this.abort = null;
    }
  }
}

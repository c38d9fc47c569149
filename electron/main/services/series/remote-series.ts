import type { z } from 'zod';
import { ApiRefusal } from '../../../../shared/api/handlers.js';
import { MINUTE_MS, toIso } from '../../../../shared/clock.js';
import { ApiError, describeZodError } from '../../../../shared/protocol/errors.js';
import { SeriesSourceInfo } from '../../../../shared/protocol/series-source.js';
import {
  SeriesResponse,
  type CachedSeries,
  type SeriesMetric,
  type SeriesQueryParams,
} from '../../../../shared/protocol/series.js';
import { readBounded, ResponseTooLarge } from '../../../node/bounded-fetch.js';
import { CollectorPull, type CollectorPullOptions } from '../collector-pull.js';
import { stepFor } from './series-cache.js';
import type { SeriesSource } from './series-source.js';

/**
 * Issue 17, the desktop half of the Prometheus chart source. A collector with
 * `series.source.kind: prometheus` answers `GET /v1/series` from Prometheus, while the desktop's
 * chart cache holds the collector's own rollups. This asks the collector which source it charts
 * from (`GET /v1/series/source`, on every connect and every SOURCE_POLL_MS) and, while that is
 * Prometheus, answers `series.query` for the metrics it lists from `GET /v1/series` instead of
 * the cache: same CachedSeries shape, so the renderer is unchanged.
 */

/** A chart waits at most this long for the collector (which itself waits up to its `series.source.timeout`). */
export const REMOTE_SERIES_TIMEOUT_MS = 20_000;
/** The collector's answers are bounded by MAX_RESPONSE_POINTS (about 3 MB of JSON); more is refused. */
export const REMOTE_SERIES_MAX_BYTES = 8 * 1024 * 1024;
/** Answers kept in memory, per chart (metric, filters, grouping, span), for a chart asked while offline. */
export const REMOTE_SERIES_REMEMBERED = 32;
/** A remembered answer is shown (with its `syncedAt`) for this long after it was fetched; then the chart says unavailable. */
export const REMOTE_SERIES_STALE_MS = 15 * MINUTE_MS;
/** The source changes only with the collector's config, i.e. a restart, which is a reconnect: a slow poll suffices. */
export const SOURCE_POLL_MS = 5 * MINUTE_MS;
/** `GET /v1/series/source` is a few hundred bytes. */
const SOURCE_MAX_BYTES = 16 * 1024;
/** Collector error text carried into a refusal is cut to this. */
const MAX_ERROR_TEXT = 200;

export interface RemoteSeriesOptions extends CollectorPullOptions {
  /** Per `GET /v1/series`; default REMOTE_SERIES_TIMEOUT_MS. */
  timeoutMs?: number;
  /** Per answer; default REMOTE_SERIES_MAX_BYTES. */
  maxBytes?: number;
  /** Default REMOTE_SERIES_STALE_MS. */
  staleMs?: number;
}

class BadAnswer extends Error {
  constructor(
    message: string,
    readonly code: 'invalid_field' | 'unavailable' = 'unavailable',
  ) {
    super(message);
  }
}

/** The route is absent: a collector from before protocol 5. */
class NotFound extends BadAnswer {}

interface Remembered {
  answer: CachedSeries;
  fetchedAt: number;
}

export class RemoteSeries extends CollectorPull<string> {
  private info: SeriesSourceInfo | null = null;
  private readonly remembered = new Map<string, Remembered>();
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly opts: RemoteSeriesOptions) {
    super(opts, 'series source', SOURCE_POLL_MS);
  }

  /** The collector's chart source as last heard; null before the first answer (charts stay local). */
  source(): SeriesSourceInfo | null {
    return this.info;
  }

  /** Whether `series.query` for this metric goes to the collector. */
  answers(metric: SeriesMetric): boolean {
    return this.info?.kind === 'prometheus' && this.info.metrics.includes(metric);
  }

  override dispose(): void {
    super.dispose();
    for (const a of this.inFlight) a.abort();
    this.inFlight.clear();
    this.remembered.clear();
  }

  protected async pull(): Promise<void> {
    let info: SeriesSourceInfo;
    try {
      info = await this.get('/v1/series/source', SeriesSourceInfo, SOURCE_MAX_BYTES, REMOTE_SERIES_TIMEOUT_MS);
    } catch (err) {
      // A collector from before protocol 5 has no such route: it charts from its own rollups.
      if (!(err instanceof NotFound)) throw err;
      info = { kind: 'local' };
    }
    if (this.disposed || JSON.stringify(info) === JSON.stringify(this.info)) return;
    const was = this.info;
    this.info = info;
    this.remembered.clear();
    if (was !== null || info.kind !== 'local') {
      this.log.warn(
        `series source: the collector charts from ${info.kind === 'local' ? 'its own rollups' : 'Prometheus'}`,
      );
    }
    // Charts on screen ask again, now from the right place.
    this.emitChanged(toIso(this.clock.now()));
  }

  /**
   * One chart from the collector's `GET /v1/series`, at the step the cache would use. When the
   * collector cannot answer (offline, timeout, a bad answer), the last answer for the same chart
   * fetched within `staleMs` is returned instead; its `syncedAt` says how old it is.
   */
  async query(p: SeriesQueryParams): Promise<CachedSeries> {
    const key = JSON.stringify([
      p.metric,
      p.service ?? null,
      p.provider ?? null,
      p.model ?? null,
      p.by ?? null,
      p.toMs - p.fromMs,
    ]);
    const now = this.clock.now();
    let failure: BadAnswer;
    if (!this.opts.connection.isReady()) {
      failure = new BadAnswer('the collector is not reachable');
    } else {
      try {
        const answer = await this.get(
          `/v1/series?${seriesParams(p, now)}`,
          SeriesResponse,
          this.maxBytes(),
          this.timeoutMs(),
        );
        if (answer.metric !== p.metric) throw new BadAnswer(`the collector answered ${answer.metric} for ${p.metric}`);
        const cached: CachedSeries = { ...answer, syncedAt: toIso(this.clock.now()) };
        this.remember(key, { answer: cached, fetchedAt: this.clock.now() });
        return cached;
      } catch (err) {
        failure = err instanceof BadAnswer ? err : new BadAnswer(err instanceof Error ? err.message : String(err));
      }
    }
    const last = this.remembered.get(key);
    if (
      failure.code === 'unavailable' &&
      last &&
      now - last.fetchedAt <= (this.opts.staleMs ?? REMOTE_SERIES_STALE_MS)
    ) {
      this.log.warn(`series source: ${failure.message}; charting the answer of ${last.answer.syncedAt ?? 'earlier'}`);
      return last.answer;
    }
    throw new ApiRefusal({
      code: failure.code,
      message: `${p.metric} charts come from the collector's Prometheus source: ${failure.message}`,
    });
  }

  private timeoutMs(): number {
    return this.opts.timeoutMs ?? REMOTE_SERIES_TIMEOUT_MS;
  }

  private maxBytes(): number {
    return this.opts.maxBytes ?? REMOTE_SERIES_MAX_BYTES;
  }

  private remember(key: string, r: Remembered): void {
    this.remembered.delete(key);
    this.remembered.set(key, r);
    if (this.remembered.size > REMOTE_SERIES_REMEMBERED) {
      this.remembered.delete(this.remembered.keys().next().value as string);
    }
  }

  /** GET with the token, bounded in time and size, the body validated by `schema`. */
  private async get<T>(path: string, schema: z.ZodType<T>, maxBytes: number, timeoutMs: number): Promise<T> {
    const url = new URL(path, this.opts.collectorUrl);
    const abort = new AbortController();
    this.inFlight.add(abort);
    let timedOut = false;
    const timer = this.timers.setTimeout(() => {
      timedOut = true;
      abort.abort();
    }, timeoutMs);
    const what = `GET ${url.pathname}`;
    let status: number;
    let text: string;
    try {
      const res = await (this.opts.fetch ?? fetch)(url, {
        headers: { authorization: `Bearer ${this.opts.token}` },
        signal: abort.signal,
        redirect: 'error',
      });
      status = res.status;
      text = await readBounded(res, maxBytes);
    } catch (err) {
      if (err instanceof BadAnswer) throw err;
      if (err instanceof ResponseTooLarge) throw new BadAnswer(`${what}: the answer is over ${maxBytes} bytes`);
      if (timedOut) throw new BadAnswer(`${what}: no answer within ${timeoutMs} ms`);
      const e = err as Error & { cause?: { code?: string } };
      throw new BadAnswer(`${what}: ${e.cause?.code ?? e.message}`);
    } finally {
      this.timers.clearTimeout(timer);
      this.inFlight.delete(abort);
    }
    if (status === 404) throw new NotFound(`${what} answered 404`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new BadAnswer(`${what} answered ${status} with something other than JSON`);
    }
    if (status < 200 || status > 299) {
      const e = ApiError.safeParse(json);
      const why = e.success ? e.data.error.message.slice(0, MAX_ERROR_TEXT) : 'no error body';
      // A 400 is about this query (e.g. a span too long for the step); anything else is the collector's trouble.
      throw new BadAnswer(`${what} answered ${status}: ${why}`, status === 400 ? 'invalid_field' : 'unavailable');
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error);
      throw new BadAnswer(`${what} sent an invalid answer (${field}: ${message})`);
    }
    return parsed.data;
  }
}

/** The collector's query for a chart: the same step the cache would chart it at. */
function seriesParams(p: SeriesQueryParams, now: number): string {
  const q = new URLSearchParams({
    metric: p.metric,
    from: String(p.fromMs),
    to: String(p.toMs),
    step: stepFor(p.fromMs, p.toMs, now),
  });
  for (const d of ['service', 'provider', 'model'] as const) {
    const v = p[d];
    if (v !== undefined) q.set(d, v);
  }
  if (p.by) q.set('by', p.by);
  return q.toString();
}

/**
 * The chart source the Api uses: the metrics the collector charts from Prometheus go to
 * `remote`; everything else (and everything while the source is local or unknown) to the cache.
 */
export function withRemoteSeries(local: SeriesSource, remote: RemoteSeries): SeriesSource {
  return {
    query: (p) => (remote.answers(p.metric) ? remote.query(p) : local.query(p)),
    catalog: () => local.catalog(),
    onChanged: (listener) => {
      const a = local.onChanged(listener);
      const b = remote.onChanged(listener);
      return () => {
        a();
        b();
      };
    },
  };
}

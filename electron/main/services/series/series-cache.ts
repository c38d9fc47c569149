import Database from 'better-sqlite3';
import { decodeSketch } from '../../../../shared/rollup/sketch-codec.js';
import { downsampleRows, evalSeries, rollupSeries } from '../../../../shared/series/aggregate.js';
import {
  STEP_MS,
  type CachedSeries,
  type EvalRun,
  type RollupRow,
  type SeriesCatalog,
  type SeriesQueryParams,
  type SeriesStep,
} from '../../../../shared/protocol/series.js';
import { quietLog, type SeriesLog } from './ports.js';
import { DEFAULT_CHART_RETENTION, HOUR_RES, minuteBoundary, retentionStart, type ChartRetention } from './retention.js';

export interface ChartSyncState {
  /** Latest bucket start taken in from the collector (epoch ms), or null before the first sync. */
  syncedTo: number | null;
  /** When the last sync finished. */
  syncedAt: string | undefined;
}

/** The chart half of the desktop cache (tables from cache migration 0004). */
export interface SeriesCache {
  syncState(): ChartSyncState;
  /** Upserts (replaces) whole buckets of one resolution and the eval runs of the same span, in one transaction. */
  putPage(resolution: number, rows: readonly RollupRow[], evals: readonly EvalRun[]): void;
  markSynced(syncedTo: number | null, at: string): void;
  /** Merges minute rows older than the minute window into hours and drops what is past retention. */
  compact(now: number): { downsampled: number; deleted: number };
  query(p: SeriesQueryParams, now: number): CachedSeries;
  catalog(): SeriesCatalog;
  close(): void;
}

interface Row {
  t: number;
  service: string;
  provider: string;
  model: string;
  count: number;
  errors: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  unpriced: number;
  retrieval_hits: number;
  retrieval_misses: number;
  feedback_up: number;
  feedback_down: number;
  output_labels: string;
  latency_sketch: string;
}

const SLOW_QUERY_MS = 40;
const SKETCH_METRICS = new Set(['latency_p50', 'latency_p95', 'latency_p99']);
const SELECT = `SELECT t, service, provider, model, count, errors, tokens_in, tokens_out, cost_usd, unpriced,
  retrieval_hits, retrieval_misses, feedback_up, feedback_down, output_labels`;

function fromRow(r: Row): RollupRow {
  return {
    t: r.t,
    service: r.service,
    provider: r.provider,
    model: r.model,
    count: r.count,
    errors: r.errors,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    costUsd: r.cost_usd,
    unpriced: r.unpriced,
    retrievalHits: r.retrieval_hits,
    retrievalMisses: r.retrieval_misses,
    feedbackUp: r.feedback_up,
    feedbackDown: r.feedback_down,
    outputLabels: JSON.parse(r.output_labels) as Record<string, number>,
    latency: r.latency_sketch,
  };
}

/**
 * The step a chart over [from, to) gets: roughly 60–720 points (minute buckets over many hours are
 * mostly noise at chart width), and never finer than the data kept.
 */
export function stepFor(fromMs: number, toMs: number, now: number, r: ChartRetention = DEFAULT_CHART_RETENTION): SeriesStep {
  const span = toMs - fromMs;
  if (fromMs < minuteBoundary(now, r) || span > r.minuteMs) return '1h';
  if (span > 3 * HOUR_RES) return '5m';
  return '1m';
}

/**
 * Opens a second connection on the cache file (the Cache opened it and ran the migrations).
 * WAL lets this writer and the alert replica's writer take turns; busy_timeout absorbs the waits.
 */
export function openSeriesCache(
  path: string,
  opts: { retention?: ChartRetention; log?: SeriesLog } = {},
): SeriesCache {
  const retention = opts.retention ?? DEFAULT_CHART_RETENTION;
  const log = opts.log ?? quietLog;
  const db = new Database(path, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  const s = {
    upsert: db.prepare(`INSERT OR REPLACE INTO chart_rollups (resolution, t, service, provider, model, count, errors,
        tokens_in, tokens_out, cost_usd, unpriced, retrieval_hits, retrieval_misses, feedback_up, feedback_down, output_labels, latency_sketch)
      VALUES (@resolution, @t, @service, @provider, @model, @count, @errors, @tokensIn, @tokensOut, @costUsd, @unpriced,
        @retrievalHits, @retrievalMisses, @feedbackUp, @feedbackDown, @outputLabels, @latency)`),
    upsertEval: db.prepare(
      'INSERT OR REPLACE INTO chart_evals (suite, ts, accuracy, passed, total) VALUES (@suite, @ts, @accuracy, @passed, @total)',
    ),
    sync: db.prepare('SELECT synced_to, synced_at FROM chart_sync WHERE id = 1'),
    markSynced: db.prepare('UPDATE chart_sync SET synced_to = COALESCE(MAX(?, COALESCE(synced_to, ?)), synced_to), synced_at = ? WHERE id = 1'),
    oldMinutes: db.prepare(`${SELECT}, latency_sketch FROM chart_rollups WHERE resolution = 60000 AND t < ? ORDER BY t`),
    hoursIn: db.prepare(`${SELECT}, latency_sketch FROM chart_rollups WHERE resolution = 3600000 AND t >= ? AND t < ?`),
    deleteMinutesBefore: db.prepare(`DELETE FROM chart_rollups WHERE resolution = 60000 AND t < ?`),
    deleteBefore: db.prepare('DELETE FROM chart_rollups WHERE t < ?'),
    deleteEvalsBefore: db.prepare('DELETE FROM chart_evals WHERE ts < ?'),
    range: db.prepare(`${SELECT}, CASE WHEN @sketch THEN latency_sketch ELSE '' END AS latency_sketch
      FROM chart_rollups WHERE t >= @from AND t < @to
        AND (@service IS NULL OR service = @service)
        AND (@provider IS NULL OR provider = @provider)
        AND (@model IS NULL OR model = @model)`),
    evals: db.prepare('SELECT suite, ts, accuracy, passed, total FROM chart_evals WHERE ts >= ? AND ts < ? ORDER BY ts'),
    keys: db.prepare('SELECT DISTINCT service, provider, model FROM chart_rollups ORDER BY service, provider, model'),
    suites: db.prepare('SELECT DISTINCT suite FROM chart_evals ORDER BY suite'),
  };

  const timed = <T>(name: string, fn: () => T): T => {
    const start = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - start;
      if (ms > SLOW_QUERY_MS) log.warn(`chart cache: slow ${name} took ${ms.toFixed(0)} ms`);
    }
  };

  const putRow = (resolution: number, r: RollupRow): void => {
    s.upsert.run({ ...r, resolution, outputLabels: JSON.stringify(r.outputLabels) });
  };

  const putPage = db.transaction((resolution: number, rows: readonly RollupRow[], evals: readonly EvalRun[]) => {
    for (const r of rows) putRow(resolution, r);
    for (const e of evals) s.upsertEval.run({ ...e, passed: e.passed ?? null, total: e.total ?? null });
  });

  const compact = db.transaction((now: number) => {
    const boundary = minuteBoundary(now, retention);
    const oldest = retentionStart(now, retention);
    const minutes = (s.oldMinutes.all(boundary) as Row[]).map(fromRow).filter((r) => r.t >= oldest);
    let downsampled = 0;
    if (minutes.length > 0) {
      // Hours that already exist (an earlier compaction, or the collector's hourly export) merge in too.
      const first = Math.floor((minutes[0]?.t ?? boundary) / HOUR_RES) * HOUR_RES;
      const hours = (s.hoursIn.all(first, boundary) as Row[]).map(fromRow);
      const touched = new Set(minutes.map((m) => `${m.service}\0${m.provider}\0${m.model}\0${Math.floor(m.t / HOUR_RES) * HOUR_RES}`));
      const merging = hours.filter((h) => touched.has(`${h.service}\0${h.provider}\0${h.model}\0${h.t}`));
      for (const h of downsampleRows([...merging, ...minutes], HOUR_RES)) putRow(HOUR_RES, h);
      downsampled = minutes.length;
    }
    s.deleteMinutesBefore.run(boundary);
    const deleted = s.deleteBefore.run(oldest).changes;
    s.deleteEvalsBefore.run(oldest);
    return { downsampled, deleted };
  });

  const syncState = (): ChartSyncState => {
    const r = s.sync.get() as { synced_to: number | null; synced_at: string | null };
    return { syncedTo: r.synced_to, syncedAt: r.synced_at ?? undefined };
  };

  return {
    syncState,
    putPage(resolution, rows, evals) {
      // A sketch that does not decode would break every later query of its bucket: refuse the page.
      for (const r of rows) decodeSketch(r.latency);
      timed('putPage', () => putPage(resolution, rows, evals));
    },
    markSynced(syncedTo, at) {
      s.markSynced.run(syncedTo, syncedTo, at);
    },
    compact: (now) => timed('compact', () => compact(now)),
    query(p, now) {
      return timed(`query ${p.metric}`, () => {
        const step = stepFor(p.fromMs, p.toMs, now, retention);
        const stepMs = STEP_MS[step];
        const from = Math.floor(p.fromMs / stepMs) * stepMs;
        const req = { metric: p.metric, from: p.fromMs, to: p.toMs, stepMs, by: p.by };
        const { syncedAt } = syncState();
        const base = { metric: p.metric, step, ...(syncedAt ? { syncedAt } : {}) };
        if (p.metric === 'eval_accuracy') {
          const runs = (s.evals.all(from, p.toMs) as { suite: string; ts: number; accuracy: number; passed: number | null; total: number | null }[]).map(
            (r): EvalRun => ({ suite: r.suite, ts: r.ts, accuracy: r.accuracy, ...(r.passed !== null ? { passed: r.passed } : {}), ...(r.total !== null ? { total: r.total } : {}) }),
          );
          return { ...base, series: evalSeries(runs, req) };
        }
        const rows = s.range.iterate({
          from,
          to: p.toMs,
          sketch: SKETCH_METRICS.has(p.metric) ? 1 : 0,
          service: p.service ?? null,
          provider: p.provider ?? null,
          model: p.model ?? null,
        }) as IterableIterator<Row>;
        return { ...base, series: rollupSeries(mapIter(rows, fromRow), req) };
      });
    },
    catalog() {
      const { syncedAt } = syncState();
      return {
        keys: s.keys.all() as { service: string; provider: string; model: string }[],
        suites: (s.suites.all() as { suite: string }[]).map((r) => r.suite),
        ...(syncedAt ? { syncedAt } : {}),
      };
    },
    close() {
      if (db.open) db.close();
    },
  };
}

function* mapIter<A, B>(it: Iterable<A>, f: (a: A) => B): IterableIterator<B> {
  for (const a of it) yield f(a);
}

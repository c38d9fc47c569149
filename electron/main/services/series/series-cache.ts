import { bucketFromRollup, mergeBuckets, type Bucket } from '../../../../shared/series/buckets.js';
import { evalSeries, rollupSeries } from '../../../../shared/series/aggregate.js';
import { LATENCY_QUANTILES, latencySeries, type LatencyMetric } from '../../../../shared/series/latency-series.js';
import { seriesReference } from '../../../../shared/series/reference.js';
import {
  ChartRules,
  STEP_MS,
  type CachedSeries,
  type EvalRun,
  type RollupRow,
  type Series,
  type SeriesCatalog,
  type SeriesQueryParams,
  type SeriesStep,
} from '../../../../shared/protocol/series.js';
import { cacheReferenceSource } from './reference-source.js';
import { chartTables, scalarToRollup, TIER_1H, TIER_1M, TIER_5M, type RangeFilter } from './chart-tables.js';
import { openCacheConnection, slowQueryTimer } from '../cache/cache-connection.js';
import { silentLogger } from '../runtime.js';
import type { SeriesLog } from './series-sync.js';
import { DEFAULT_CHART_RETENTION, HOUR_RES, minuteBoundary, retentionStart, type ChartRetention } from './retention.js';

export interface ChartSyncState {
  /** Latest bucket start taken in from the collector (epoch ms), or null before the first sync. */
  syncedTo: number | null;
  /** When the last sync finished. */
  syncedAt: string | undefined;
}

/** The chart half of the desktop cache (tables from cache migrations 0004 and 0006). */
export interface SeriesCache {
  syncState(): ChartSyncState;
  /**
   * Upserts (replaces) whole buckets of one resolution and the eval runs of the same span, in one
   * transaction; minute pages also refresh the 5-minute and hourly buckets they fall in.
   */
  putPage(resolution: number, rows: readonly RollupRow[], evals: readonly EvalRun[]): void;
  markSynced(syncedTo: number | null, at: string): void;
  /** The collector's rule thresholds from the last page that carried them (issue 14). */
  putRules(rules: ChartRules): void;
  rules(): ChartRules | undefined;
  /** Drops minutes older than the minute window (their hours are kept) and everything past retention. */
  compact(now: number): { downsampled: number; deleted: number };
  query(p: SeriesQueryParams, now: number): CachedSeries;
  catalog(): SeriesCatalog;
  close(): void;
}

/** Latency answers kept for reuse: the latency chart asks for p50, p95 and p99 of the same range in a row. */
const LATENCY_MEMO_SIZE = 12;

/**
 * The step a chart over [from, to) gets: roughly 60–720 points (minute buckets over many hours are
 * mostly noise at chart width), and never finer than the data kept. The step is also the tier read.
 */
export function stepFor(
  fromMs: number,
  toMs: number,
  now: number,
  r: ChartRetention = DEFAULT_CHART_RETENTION,
): SeriesStep {
  const span = toMs - fromMs;
  if (fromMs < minuteBoundary(now, r) || span > r.minuteMs) return '1h';
  if (span > 3 * HOUR_RES) return '5m';
  return '1m';
}

function starts(rows: readonly Bucket[], res: number): number[] {
  return [...new Set(rows.map((r) => Math.floor(r.t / res) * res))].sort((a, b) => a - b);
}

/**
 * Opens a second connection on the cache file (see openCacheConnection): this writer and the
 * alert replica's writer take turns.
 *
 * Hours come in two kinds. Hours at or after `compacted_before` are derived: recomputed from their
 * 5-minute buckets (themselves merged from minutes) whenever a minute page touches them. Hours
 * before it are the collector's own hourly rows; a late minute for one waits in the minute tier
 * and is merged into it by the next compaction.
 */
export function openSeriesCache(path: string, opts: { retention?: ChartRetention; log?: SeriesLog } = {}): SeriesCache {
  const retention = opts.retention ?? DEFAULT_CHART_RETENTION;
  const log = opts.log ?? silentLogger;
  const db = openCacheConnection(path);
  const tables = chartTables(db);
  const s = {
    upsertEval: db.prepare(
      'INSERT OR REPLACE INTO chart_evals (suite, ts, accuracy, passed, total) VALUES (@suite, @ts, @accuracy, @passed, @total)',
    ),
    sync: db.prepare('SELECT synced_to, synced_at, compacted_before FROM chart_sync WHERE id = 1'),
    markSynced: db.prepare(
      'UPDATE chart_sync SET synced_to = COALESCE(MAX(?, COALESCE(synced_to, ?)), synced_to), synced_at = ? WHERE id = 1',
    ),
    markCompacted: db.prepare(
      'UPDATE chart_sync SET compacted_before = MAX(COALESCE(compacted_before, ?), ?) WHERE id = 1',
    ),
    deleteEvalsBefore: db.prepare('DELETE FROM chart_evals WHERE ts < ?'),
    evals: db.prepare(
      'SELECT suite, ts, accuracy, passed, total FROM chart_evals WHERE ts >= ? AND ts < ? ORDER BY ts',
    ),
    suites: db.prepare('SELECT DISTINCT suite FROM chart_evals ORDER BY suite'),
    putRules: db.prepare('INSERT OR REPLACE INTO chart_rules (id, json) VALUES (1, ?)'),
    rules: db.prepare('SELECT json FROM chart_rules WHERE id = 1'),
  };
  /** Parsed once per write: the same JSON is read by every query. */
  let rulesMemo: { json: string; rules: ChartRules | undefined } | undefined;
  const currentRules = (): ChartRules | undefined => {
    const row = s.rules.get() as { json: string } | undefined;
    if (!row) return undefined;
    if (rulesMemo?.json !== row.json) {
      const parsed = ChartRules.safeParse(JSON.parse(row.json));
      rulesMemo = { json: row.json, rules: parsed.success ? parsed.data : undefined };
    }
    return rulesMemo.rules;
  };
  /** Latency answers by query; cleared by every write, so a memo never outlives the data it came from. */
  const memo = new Map<string, Record<LatencyMetric, Series[]>>();

  const timed = slowQueryTimer('chart cache', (m) => log.warn(m));

  const sync = () =>
    s.sync.get() as { synced_to: number | null; synced_at: string | null; compacted_before: number | null };

  const putEvals = (evals: readonly EvalRun[]): void => {
    for (const e of evals) s.upsertEval.run({ ...e, passed: e.passed ?? null, total: e.total ?? null });
  };

  /** Minutes in, then the 5-minute buckets and derived hours they touch recomputed from the tier below. */
  const putMinutes = db.transaction((rows: readonly Bucket[], evals: readonly EvalRun[]) => {
    for (const r of rows) tables.put(TIER_1M, r);
    // A page holds every key of each minute it covers, so a 5-minute bucket inside its span merges
    // from the page itself; only the (at most two) buckets at its edges need the stored minutes.
    const first = Math.min(...rows.map((r) => r.t));
    const last = Math.max(...rows.map((r) => r.t));
    const inPage = new Map<number, Bucket[]>();
    for (const r of rows) {
      const t5 = Math.floor(r.t / TIER_5M) * TIER_5M;
      if (t5 >= first && t5 + TIER_5M - TIER_1M <= last) inPage.set(t5, [...(inPage.get(t5) ?? []), r]);
    }
    for (const t5 of starts(rows, TIER_5M)) {
      const minutes = inPage.get(t5) ?? tables.read(TIER_1M, t5, t5 + TIER_5M);
      for (const b of mergeBuckets(minutes, TIER_5M)) tables.put(TIER_5M, b);
    }
    const compactedBefore = sync().compacted_before ?? -Infinity;
    for (const h of starts(rows, TIER_1H)) {
      if (h < compactedBefore) continue;
      for (const b of mergeBuckets(tables.read(TIER_5M, h, h + TIER_1H), TIER_1H)) tables.put(TIER_1H, b);
    }
    putEvals(evals);
  });

  const putHours = db.transaction((rows: readonly Bucket[], evals: readonly EvalRun[]) => {
    for (const r of rows) tables.put(TIER_1H, r);
    putEvals(evals);
  });

  const compact = db.transaction((now: number) => {
    const boundary = minuteBoundary(now, retention);
    const oldest = retentionStart(now, retention);
    const cut = Math.min(sync().compacted_before ?? -Infinity, boundary);
    // Late minutes of hours that are the collector's: merge them into those hours.
    const late = Number.isFinite(cut) ? tables.read(TIER_1M, oldest, cut) : [];
    if (late.length > 0) {
      const touched = new Set(
        late.map((m) => `${m.service}\0${m.provider}\0${m.model}\0${Math.floor(m.t / HOUR_RES) * HOUR_RES}`),
      );
      const first = Math.floor((late[0]?.t ?? cut) / HOUR_RES) * HOUR_RES;
      const hours = tables
        .read(TIER_1H, first, cut)
        .filter((h) => touched.has(`${h.service}\0${h.provider}\0${h.model}\0${h.t}`));
      for (const h of mergeBuckets([...hours, ...late], TIER_1H)) tables.put(TIER_1H, h);
    }
    const downsampled = tables.count(TIER_1M, oldest, boundary);
    tables.deleteBefore(TIER_1M, boundary);
    tables.deleteBefore(TIER_5M, boundary);
    const deleted = tables.deleteBefore(TIER_1H, oldest);
    if (deleted > 0) tables.pruneKeys();
    s.deleteEvalsBefore.run(oldest);
    s.markCompacted.run(boundary, boundary);
    return { downsampled, deleted };
  });

  const syncState = (): ChartSyncState => {
    const r = sync();
    return { syncedTo: r.synced_to, syncedAt: r.synced_at ?? undefined };
  };

  const latency = (
    metric: LatencyMetric,
    f: RangeFilter,
    req: { from: number; to: number; stepMs: number; by: SeriesQueryParams['by'] },
  ): Series[] => {
    const key = JSON.stringify([f, req.from, req.by ?? null]);
    let all = memo.get(key);
    if (!all) {
      all = latencySeries(tables.sketches(f), req);
      if (memo.size >= LATENCY_MEMO_SIZE) memo.delete(memo.keys().next().value as string);
      memo.set(key, all);
    }
    return all[metric];
  };

  const seriesOf = (p: SeriesQueryParams, now: number): CachedSeries => {
    const step = stepFor(p.fromMs, p.toMs, now, retention);
    const stepMs = STEP_MS[step];
    const from = Math.floor(p.fromMs / stepMs) * stepMs;
    const req = { metric: p.metric, from: p.fromMs, to: p.toMs, stepMs, by: p.by };
    const { syncedAt } = syncState();
    const base = { metric: p.metric, step, ...(syncedAt ? { syncedAt } : {}) };
    if (p.metric === 'eval_accuracy') {
      const runs = (
        s.evals.all(from, p.toMs) as {
          suite: string;
          ts: number;
          accuracy: number;
          passed: number | null;
          total: number | null;
        }[]
      ).map((r): EvalRun => ({
        suite: r.suite,
        ts: r.ts,
        accuracy: r.accuracy,
        ...(r.passed !== null ? { passed: r.passed } : {}),
        ...(r.total !== null ? { total: r.total } : {}),
      }));
      return { ...base, series: evalSeries(runs, req) };
    }
    // The step is the tier: every bucket read is exactly one chart point's worth.
    const f: RangeFilter = {
      tier: stepMs,
      from,
      to: p.toMs,
      service: p.service ?? null,
      provider: p.provider ?? null,
      model: p.model ?? null,
    };
    if (p.metric in LATENCY_QUANTILES) return { ...base, series: latency(p.metric as LatencyMetric, f, req) };
    const rows = tables.scalars(f, p.metric === 'output_label_share');
    return { ...base, series: rollupSeries(mapIter(rows, scalarToRollup), req) };
  };

  return {
    syncState,
    putPage(resolution, rows, evals) {
      // A sketch that does not parse would break every later query of its bucket: refuse the page.
      const buckets = rows.map(bucketFromRollup);
      if (resolution !== TIER_1M && resolution !== TIER_1H)
        throw new Error(`chart cache: no tier for resolution ${resolution} ms`);
      try {
        timed('putPage', () => (resolution === TIER_1M ? putMinutes(buckets, evals) : putHours(buckets, evals)));
      } catch (err) {
        tables.forgetKeyIds(); // a rolled-back transaction may have taken key ids with it
        throw err;
      } finally {
        memo.clear();
      }
    },
    markSynced(syncedTo, at) {
      s.markSynced.run(syncedTo, syncedTo, at);
    },
    putRules(rules) {
      s.putRules.run(JSON.stringify(rules));
    },
    rules: currentRules,
    compact: (now) =>
      timed('compact', () => {
        const r = compact(now);
        memo.clear();
        return r;
      }),
    query(p, now) {
      const answer = timed(`query ${p.metric}`, () => seriesOf(p, now));
      const rules = currentRules();
      if (!rules) return answer;
      const filter = { service: p.service ?? null, provider: p.provider ?? null, model: p.model ?? null };
      const src = cacheReferenceSource(tables, filter, minuteBoundary(now, retention));
      const suites = answer.series.map((x) => x.labels['suite']).filter((x): x is string => x !== undefined);
      const reference = timed(`reference ${p.metric}`, () =>
        seriesReference(rules, src, {
          metric: p.metric,
          at: p.referenceAtMs ?? p.toMs,
          filter: { service: p.service, provider: p.provider, model: p.model },
          suites,
        }),
      );
      return reference ? { ...answer, reference } : answer;
    },
    catalog() {
      const { syncedAt } = syncState();
      return {
        keys: tables.keys(),
        suites: (s.suites.all() as { suite: string }[]).map((r) => r.suite),
        ...(syncedAt ? { syncedAt } : {}),
      };
    },
    close() {
      memo.clear();
      if (db.open) db.close();
    },
  };
}

function* mapIter<A, B>(it: Iterable<A>, f: (a: A) => B): IterableIterator<B> {
  for (const a of it) yield f(a);
}

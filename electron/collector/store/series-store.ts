import Database from 'better-sqlite3';
import type { EvalRun, RollupRow } from '../../../shared/protocol/series.js';

/** Filters on the rollup key; absent = any. */
export interface RollupFilter {
  service?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
}

/**
 * Read-only queries for charts, on their own read-only SQLite connection: chart reads (which may
 * scan days of minutes) never hold the writer's connection, and WAL lets them run beside ingest.
 */
export interface SeriesStore {
  /** Minute rows with `from <= minute < to` in minute order. `withSketch: false` skips the sketch column. */
  minutes(from: number, to: number, filter: RollupFilter, withSketch: boolean): IterableIterator<RollupRow>;
  /**
   * Minute rows and the hourly rows older minutes were downsampled into (`rollups_hourly`, keyed
   * by the hour's start), merged in time order: the full history for charts.
   */
  rollups(from: number, to: number, filter: RollupFilter, withSketch: boolean): IterableIterator<RollupRow>;
  /** Eval runs with `from <= ts < to`, oldest first; empty until the collector has an `eval_runs` table. */
  evalRuns(from: number, to: number): EvalRun[];
  close(): void;
}

interface Row {
  minute: number;
  service: string;
  provider: string;
  model: string;
  count: number;
  errors: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  unpriced: number;
  output_labels: string;
  retrieval_hits: number;
  retrieval_misses: number;
  feedback_up: number;
  feedback_down: number;
  latency_sketch: Buffer | null;
}

interface EvalRow {
  suite: string;
  ts: number;
  accuracy: number;
  passed: number | null;
  total: number | null;
}

const COLUMNS = `minute, service, provider, model, count, errors, tokens_in, tokens_out, cost_usd, unpriced,
  output_labels, retrieval_hits, retrieval_misses, feedback_up, feedback_down`;
// `? IS NULL OR col = ?`: one prepared statement serves every filter combination.
const WHERE = `minute >= @from AND minute < @to
  AND (@service IS NULL OR service = @service)
  AND (@provider IS NULL OR provider = @provider)
  AND (@model IS NULL OR model = @model)`;

function toRow(r: Row): RollupRow {
  return {
    t: r.minute,
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
    latency: r.latency_sketch === null ? '' : r.latency_sketch.toString('utf8'),
  };
}

function params(from: number, to: number, f: RollupFilter): Record<string, number | string | null> {
  return { from, to, service: f.service ?? null, provider: f.provider ?? null, model: f.model ?? null };
}

/** Two time-ordered row streams as one; both iterators are closed when the consumer stops early. */
function* mergeByTime(a: IterableIterator<Row>, b: IterableIterator<Row>): IterableIterator<RollupRow> {
  try {
    let x = a.next();
    let y = b.next();
    while (!x.done || !y.done) {
      if (y.done || (!x.done && x.value.minute <= y.value.minute)) {
        yield toRow(x.value as Row);
        x = a.next();
      } else {
        yield toRow(y.value);
        y = b.next();
      }
    }
  } finally {
    a.return?.();
    b.return?.();
  }
}

/** `file` must already exist and be migrated (the collector's writer opens it first). */
export function openSeriesStore(file: string): SeriesStore {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const withSketch = db.prepare(`SELECT ${COLUMNS}, latency_sketch FROM rollups WHERE ${WHERE} ORDER BY minute`);
  const withoutSketch = db.prepare(
    `SELECT ${COLUMNS}, NULL AS latency_sketch FROM rollups WHERE ${WHERE} ORDER BY minute`,
  );
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  let evalStmt: Database.Statement | null = null;
  let hourStmts: { withSketch: Database.Statement; withoutSketch: Database.Statement } | null = null;

  /** Hourly history is migration 0003 (another engineer's); read it once it exists. */
  const hourly = (): typeof hourStmts => {
    if (hourStmts || hasTable.get('rollups_hourly') === undefined) return hourStmts;
    const cols = COLUMNS.replace('minute,', 'hour AS minute,');
    const where = WHERE.replaceAll('minute', 'hour');
    hourStmts = {
      withSketch: db.prepare(`SELECT ${cols}, latency_sketch FROM rollups_hourly WHERE ${where} ORDER BY hour`),
      withoutSketch: db.prepare(
        `SELECT ${cols}, NULL AS latency_sketch FROM rollups_hourly WHERE ${where} ORDER BY hour`,
      ),
    };
    return hourStmts;
  };

  /** The eval table is another engineer's migration; use it once it exists and has the columns we read. */
  const evalRuns = (): Database.Statement | null => {
    if (evalStmt) return evalStmt;
    if (hasTable.get('eval_runs') === undefined) return null;
    const cols = new Set((db.prepare('PRAGMA table_info(eval_runs)').all() as { name: string }[]).map((c) => c.name));
    if (!['suite', 'ts', 'accuracy'].every((c) => cols.has(c))) return null;
    const passed = cols.has('passed') ? 'passed' : 'NULL';
    const total = cols.has('total') ? 'total' : 'NULL';
    evalStmt = db.prepare(
      `SELECT suite, ts, accuracy, ${passed} AS passed, ${total} AS total FROM eval_runs WHERE ts >= ? AND ts < ? ORDER BY ts`,
    );
    return evalStmt;
  };

  return {
    *minutes(from, to, filter, sketch) {
      const stmt = sketch ? withSketch : withoutSketch;
      for (const r of stmt.iterate(params(from, to, filter)) as IterableIterator<Row>) yield toRow(r);
    },
    *rollups(from, to, filter, sketch) {
      const h = hourly();
      const minutes = (sketch ? withSketch : withoutSketch).iterate(params(from, to, filter)) as IterableIterator<Row>;
      if (!h) {
        for (const r of minutes) yield toRow(r);
        return;
      }
      const hours = (sketch ? h.withSketch : h.withoutSketch).iterate(
        params(from, to, filter),
      ) as IterableIterator<Row>;
      yield* mergeByTime(minutes, hours);
    },
    evalRuns(from, to) {
      const stmt = evalRuns();
      if (!stmt) return [];
      return (stmt.all(from, to) as EvalRow[]).map((r) => ({
        suite: r.suite,
        ts: r.ts,
        accuracy: r.accuracy,
        ...(r.passed !== null ? { passed: r.passed } : {}),
        ...(r.total !== null ? { total: r.total } : {}),
      }));
    },
    close: () => db.close(),
  };
}

import type Database from 'better-sqlite3';
import type { EvalResult } from '../../../shared/protocol/evals.js';
import type { EvalRun } from '../../../shared/protocol/series.js';

export type EvalOrigin = 'http' | 'scheduler';

/** The eval scheduler's persisted view of one job (restart-safe). */
export interface EvalJobState {
  schedule: string;
  nextDueAt: number;
  lastRunAt?: number;
  lastOutcome?: string;
  /** The open `eval-job-failed` alert, if the last run failed. */
  failingAlertId?: string;
}

/** Eval runs, scheduler state and integration alert keys (migration 0002). */
export interface EvalsStore {
  /** One transaction for the batch. */
  insertEvalRuns(runs: readonly EvalResult[], origin: EvalOrigin, receivedAt: number): void;
  /** Runs of `suite` with `ts >= sinceMs`, oldest first (for the eval-accuracy rule). */
  recentEvalRuns(suite: string, sinceMs: number): EvalRun[];
  /** Every suite that has ever reported a run, sorted. */
  evalSuites(): string[];
  /** The id of the newest stored run (0 when none): changes whenever a run is added. */
  latestEvalRunId(): number;
  evalJobState(suite: string): EvalJobState | undefined;
  putEvalJobState(suite: string, state: EvalJobState): void;
}

/** Maps an external sender's key (Alertmanager fingerprint, Events-v2 dedup_key) to the alert it opened. */
export interface IntegrationKeyStore {
  integrationAlertId(source: 'alertmanager' | 'events-v2', key: string): string | undefined;
  putIntegrationKey(source: 'alertmanager' | 'events-v2', key: string, alertId: string, at: number): void;
}

interface EvalRow {
  suite: string;
  ts: number;
  accuracy: number;
  passed: number | null;
  total: number | null;
}

interface JobRow {
  schedule: string;
  next_due_at: number;
  last_run_at: number | null;
  last_outcome: string | null;
  failing_alert_id: string | null;
}

export function createEvalsStore(db: Database.Database): EvalsStore {
  const s = {
    insertRun: db.prepare(
      'INSERT INTO eval_runs (suite, ts, accuracy, passed, total, origin, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    recentRuns: db.prepare(
      'SELECT suite, ts, accuracy, passed, total FROM eval_runs WHERE suite = ? AND ts >= ? ORDER BY ts, id',
    ),
    suites: db.prepare('SELECT DISTINCT suite FROM eval_runs ORDER BY suite'),
    latestId: db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM eval_runs'),
    getJob: db.prepare('SELECT * FROM eval_jobs WHERE suite = ?'),
    putJob: db.prepare(
      `INSERT OR REPLACE INTO eval_jobs (suite, schedule, next_due_at, last_run_at, last_outcome, failing_alert_id)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
  };
  const insertTx = db.transaction((runs: readonly EvalResult[], origin: EvalOrigin, receivedAt: number) => {
    for (const r of runs)
      s.insertRun.run(r.suite, r.ts, r.accuracy, r.passed ?? null, r.total ?? null, origin, receivedAt);
  });
  return {
    insertEvalRuns: (runs, origin, receivedAt) => insertTx(runs, origin, receivedAt),
    recentEvalRuns: (suite, sinceMs) =>
      (s.recentRuns.all(suite, sinceMs) as EvalRow[]).map((r) => ({
        suite: r.suite,
        ts: r.ts,
        accuracy: r.accuracy,
        ...(r.passed !== null ? { passed: r.passed } : {}),
        ...(r.total !== null ? { total: r.total } : {}),
      })),
    evalSuites: () => (s.suites.all() as { suite: string }[]).map((r) => r.suite),
    latestEvalRunId: () => (s.latestId.get() as { id: number }).id,
    evalJobState(suite) {
      const r = s.getJob.get(suite) as JobRow | undefined;
      if (!r) return undefined;
      return {
        schedule: r.schedule,
        nextDueAt: r.next_due_at,
        ...(r.last_run_at !== null ? { lastRunAt: r.last_run_at } : {}),
        ...(r.last_outcome !== null ? { lastOutcome: r.last_outcome } : {}),
        ...(r.failing_alert_id !== null ? { failingAlertId: r.failing_alert_id } : {}),
      };
    },
    putEvalJobState: (suite, st) =>
      void s.putJob.run(
        suite,
        st.schedule,
        st.nextDueAt,
        st.lastRunAt ?? null,
        st.lastOutcome ?? null,
        st.failingAlertId ?? null,
      ),
  };
}

export function createIntegrationKeyStore(db: Database.Database): IntegrationKeyStore {
  const getKey = db.prepare('SELECT alert_id FROM integration_keys WHERE source = ? AND key = ?');
  const putKey = db.prepare(
    'INSERT OR REPLACE INTO integration_keys (source, key, alert_id, updated_at) VALUES (?, ?, ?, ?)',
  );
  return {
    integrationAlertId: (source, key) => (getKey.get(source, key) as { alert_id: string } | undefined)?.alert_id,
    putIntegrationKey: (source, key, alertId, at) => void putKey.run(source, key, alertId, at),
  };
}

import type { Migration } from './migration.js';

/**
 * Eval results (posted or produced by the eval scheduler), the scheduler's restart-safe job
 * state, and the keys external senders use to address alerts (Alertmanager fingerprints,
 * Events-v2 dedup keys).
 */
export const m0002EvalsIntegrations: Migration = {
  version: 2,
  name: 'evals-integrations',
  up: `
    CREATE TABLE eval_runs (
      id INTEGER PRIMARY KEY,
      suite TEXT NOT NULL,
      ts INTEGER NOT NULL,          -- when the run happened (event time, epoch ms)
      accuracy REAL NOT NULL,       -- 0..1
      passed INTEGER,
      total INTEGER,
      origin TEXT NOT NULL,         -- 'http' | 'scheduler'
      received_at INTEGER NOT NULL
    );
    CREATE INDEX eval_runs_suite_ts ON eval_runs(suite, ts);
    CREATE INDEX eval_runs_ts ON eval_runs(ts);

    CREATE TABLE eval_jobs (
      suite TEXT PRIMARY KEY,
      schedule TEXT NOT NULL,       -- the schedule next_due_at was computed from; a new one recomputes
      next_due_at INTEGER NOT NULL,
      last_run_at INTEGER,
      last_outcome TEXT,
      failing_alert_id TEXT         -- the open eval-job-failed alert, resolved by the next good run
    ) WITHOUT ROWID;

    CREATE TABLE integration_keys (
      source TEXT NOT NULL,         -- 'alertmanager' | 'events-v2'
      key TEXT NOT NULL,            -- fingerprint / dedup_key
      alert_id TEXT NOT NULL,       -- the newest alert opened under this key
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (source, key)
    ) WITHOUT ROWID;
  `,
};

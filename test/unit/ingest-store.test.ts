import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/collector/store/migrate.js';
import { m0001Initial } from '../../electron/collector/store/migrations/0001-initial.js';
import { m0002EvalsIntegrations } from '../../electron/collector/store/migrations/0002-evals-integrations.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-ingest-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('migration 0002 (eval runs, eval jobs, integration keys)', () => {
  it('upgrades a 0001 database without touching its data', () => {
    const file = join(tmp(), 'c.db');
    const db = new Database(file);
    migrate(db, [m0001Initial]);
    db.prepare("INSERT INTO meta (key, value) VALUES ('max_event_ts', '42')").run();
    migrate(db, [m0001Initial, m0002EvalsIntegrations]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toEqual(expect.arrayContaining(['eval_runs', 'eval_jobs', 'integration_keys']));
    expect(db.prepare("SELECT value FROM meta WHERE key = 'max_event_ts'").get()).toEqual({ value: '42' });
    db.close();
  });
});

describe('evals store', () => {
  it('stores runs in one batch, lists them per suite since a time, and lists suites', () => {
    const store = openStore(join(tmp(), 'c.db'));
    try {
      store.evals.insertEvalRuns(
        [
          { suite: 'qa', ts: 1_000, accuracy: 0.9, passed: 9, total: 10 },
          { suite: 'rag', ts: 2_000, accuracy: 0.5 },
          { suite: 'qa', ts: 3_000, accuracy: 0.7 },
        ],
        'http',
        5_000,
      );
      expect(store.evals.recentEvalRuns('qa', 0)).toEqual([
        { suite: 'qa', ts: 1_000, accuracy: 0.9, passed: 9, total: 10 },
        { suite: 'qa', ts: 3_000, accuracy: 0.7 },
      ]);
      expect(store.evals.recentEvalRuns('qa', 2_000)).toEqual([{ suite: 'qa', ts: 3_000, accuracy: 0.7 }]);
      expect(store.evals.recentEvalRuns('nope', 0)).toEqual([]);
      expect(store.evals.evalSuites()).toEqual(['qa', 'rag']);
    } finally {
      store.close();
    }
  });

  it('keeps eval job state and integration keys across reopen', () => {
    const file = join(tmp(), 'c.db');
    const a = openStore(file);
    a.evals.putEvalJobState('qa', { schedule: '1h', nextDueAt: 10, lastRunAt: 5, lastOutcome: 'ok' });
    a.evals.putEvalJobState('rag', { schedule: 'daily', nextDueAt: 20, failingAlertId: 'alert-1' });
    a.integrationKeys.putIntegrationKey('alertmanager', 'fp1', 'alert-2', 7);
    a.integrationKeys.putIntegrationKey('alertmanager', 'fp1', 'alert-3', 8);
    a.close();
    const b = openStore(file);
    try {
      expect(b.evals.evalJobState('qa')).toEqual({ schedule: '1h', nextDueAt: 10, lastRunAt: 5, lastOutcome: 'ok' });
      expect(b.evals.evalJobState('rag')).toEqual({ schedule: 'daily', nextDueAt: 20, failingAlertId: 'alert-1' });
      expect(b.evals.evalJobState('none')).toBeUndefined();
      expect(b.integrationKeys.integrationAlertId('alertmanager', 'fp1')).toBe('alert-3');
      expect(b.integrationKeys.integrationAlertId('events-v2', 'fp1')).toBeUndefined();
    } finally {
      b.close();
    }
  });
});

import type Database from 'better-sqlite3';

/**
 * Rollups for the charts, so they stay browsable offline. One table holds both resolutions:
 * minute rows for the recent past and hour rows (merged from minutes, sketches merged too)
 * beyond; `resolution` is in the key so a compaction can never collide with a minute row.
 * The latency sketch is kept as its text encoding (shared/rollup/sketch-codec.ts).
 */
export const migration0004 = {
  version: 4,
  name: 'chart-rollups',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE chart_rollups (
        resolution INTEGER NOT NULL,     -- bucket length in ms: 60000 or 3600000
        t INTEGER NOT NULL,              -- bucket start, epoch ms
        service TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        count INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        tokens_in INTEGER NOT NULL,
        tokens_out INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        unpriced INTEGER NOT NULL,
        retrieval_hits INTEGER NOT NULL,
        retrieval_misses INTEGER NOT NULL,
        feedback_up INTEGER NOT NULL,
        feedback_down INTEGER NOT NULL,
        output_labels TEXT NOT NULL,     -- JSON {label: count}
        latency_sketch TEXT NOT NULL,
        PRIMARY KEY (resolution, service, provider, model, t)
      ) WITHOUT ROWID;
      CREATE INDEX chart_rollups_by_time ON chart_rollups (t);

      CREATE TABLE chart_evals (
        suite TEXT NOT NULL,
        ts INTEGER NOT NULL,
        accuracy REAL NOT NULL,
        passed INTEGER,
        total INTEGER,
        PRIMARY KEY (suite, ts)
      ) WITHOUT ROWID;

      -- Single row: how far the chart cache has synced (max bucket start seen) and when.
      CREATE TABLE chart_sync (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        synced_to INTEGER,
        synced_at TEXT
      );
      INSERT INTO chart_sync (id) VALUES (1);
    `);
  },
};

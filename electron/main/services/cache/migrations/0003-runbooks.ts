import type Database from 'better-sqlite3';

/**
 * Runbooks synced from the collector, for reading and searching offline. `runbooks` holds each
 * document (JSON, validated on the way in) with its content version; `runbooks_fts` is the
 * FTS5 index over title and text, kept in step with it by the runbook cache in one transaction.
 * porter + unicode61 so "retries" finds "retry" and accents fold.
 */
export const migration0003 = {
  version: 3,
  name: 'runbooks',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE runbooks (
        id TEXT PRIMARY KEY,
        version TEXT NOT NULL,
        title TEXT NOT NULL,
        tier TEXT NOT NULL,
        json TEXT NOT NULL,
        synced_at TEXT NOT NULL
      );
      CREATE VIRTUAL TABLE runbooks_fts USING fts5(
        id UNINDEXED,
        title,
        body,
        tokenize = 'porter unicode61 remove_diacritics 2'
      );
      -- Ranking lives in the index: bm25 with the title weighing 8x the body (id is unindexed).
      -- ORDER BY rank then lets FTS5 sort without computing anything per row in SQL.
      INSERT INTO runbooks_fts (runbooks_fts, rank) VALUES ('rank', 'bm25(0.0, 8.0, 1.0)');
    `);
  },
};

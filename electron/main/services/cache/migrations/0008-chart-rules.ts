import type Database from 'better-sqlite3';

/**
 * Issue 14: the collector's configured rule thresholds (a `ChartRules`, validated JSON), as the
 * last `GET /v1/rollups` page carried them, so charts draw the rule's lines offline too.
 */
export const migration0008 = {
  version: 8,
  name: 'chart-rules',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE chart_rules (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        json TEXT NOT NULL
      );
    `);
  },
};

import type Database from 'better-sqlite3';

/**
 * Issue 15: the collector's last `GET /v1/health` answer (validated JSON) and when it was
 * fetched, so the Health view shows offline with "as of"; and which shift ends this desktop has
 * asked the fatigue pulse about (answered or skipped), so it asks once per shift.
 */
export const migration0009 = {
  version: 9,
  name: 'health',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE health (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        json TEXT NOT NULL,
        synced_at TEXT NOT NULL
      );
      CREATE TABLE pulse_prompts (
        user TEXT NOT NULL,
        shift_end TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('answered', 'skipped')),
        at TEXT NOT NULL,
        PRIMARY KEY (user, shift_end)
      ) WITHOUT ROWID;
    `);
  },
};

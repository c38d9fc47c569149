import type Database from 'better-sqlite3';

/**
 * The rotation, cached for the calendar offline: one row holding the collector's last
 * `GET /v1/rotation` answer (validated JSON) and when it was fetched. Outbox commands get a
 * `payload` column for what does not fit alert commands' columns (a rotation override).
 */
export const migration0005 = {
  version: 5,
  name: 'rotation',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE rotation (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        json TEXT NOT NULL,
        synced_at TEXT NOT NULL
      );
      ALTER TABLE outbox ADD COLUMN payload TEXT;
    `);
  },
};

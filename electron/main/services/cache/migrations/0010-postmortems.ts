import type Database from 'better-sqlite3';

/**
 * Issue 15: postmortems (validated JSON as the collector's `GET /v1/postmortems` sent them, with
 * their rev, so the next pull asks only for what changed after it) and weekly-review marks.
 * Both are read offline; this desktop's queued commands are applied on top when read.
 */
export const migration0010 = {
  version: 10,
  name: 'postmortems',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE postmortems (
        id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL,
        rev INTEGER NOT NULL,
        json TEXT NOT NULL
      );
      CREATE INDEX postmortems_incident ON postmortems(incident_id);
      CREATE TABLE review_marks (
        week TEXT NOT NULL,
        item_key TEXT NOT NULL,
        json TEXT NOT NULL,
        PRIMARY KEY (week, item_key)
      ) WITHOUT ROWID;
    `);
  },
};

import type Database from 'better-sqlite3';

/**
 * The first schema of the desktop cache. Alerts keep their latest state as JSON (what the
 * UI renders) plus the columns we filter and sort on; the timeline is keyed by the
 * collector's seq so replaying an event twice is a no-op; sync_state is a single row so the
 * stream position is updated in the same transaction as the events it covers.
 */
export const migration0001 = {
  version: 1,
  name: 'initial',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        tier TEXT NOT NULL,
        fired_at TEXT NOT NULL,
        updated_seq INTEGER NOT NULL DEFAULT 0,
        json TEXT NOT NULL
      );
      CREATE INDEX alerts_by_status ON alerts (status, fired_at DESC);
      CREATE INDEX alerts_by_fired ON alerts (fired_at DESC);

      CREATE TABLE timeline (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        note TEXT
      );
      CREATE INDEX timeline_by_alert ON timeline (alert_id, seq);

      CREATE TABLE sync_state (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        collector_url TEXT,
        last_seq INTEGER NOT NULL DEFAULT 0,
        server_offset_ms REAL NOT NULL DEFAULT 0,
        last_sync_at TEXT
      );
      INSERT INTO sync_state (id) VALUES (1);

      CREATE TABLE outbox (
        pos INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        alert_id TEXT NOT NULL,
        note TEXT,
        until TEXT,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT,
        attempts INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX outbox_by_state ON outbox (state, pos);
    `);
  },
};

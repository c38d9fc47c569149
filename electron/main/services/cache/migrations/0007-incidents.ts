import type Database from 'better-sqlite3';

/**
 * Protocol 5 (issue 12): incidents are the unit of paging, so the replica holds them next to
 * alerts. `incidents` keeps each one's latest state as JSON plus the columns we filter, sort and
 * prune on (guarded by `updated_seq`, like alerts). `incident_timeline` holds the incident log
 * entries: they share the collector's seq space with alert events, so seq stays the key and a
 * replay is a no-op. `silences` is a replace-all copy of the collector's `silences` frame.
 *
 * The outbox is rebuilt: a command now names its target explicitly (`alert_id` or
 * `incident_id`, or neither for `override` / `silence` / `expire-silence`, whose payload is
 * JSON in `payload`), so `alert_id` becomes nullable. `reflected` marks a silence command the
 * collector's silences list has since reported (the pending copy is no longer shown).
 *
 * The alert replica starts over (alerts, timeline, stream position; the outbox stays): alerts
 * copied under protocol 4 have no incident, and resuming from the old lastSeq would never bring
 * the incidents the collector made for them. The next hello asks from 0 and gets them whole.
 */
export const migration0007 = {
  version: 7,
  name: 'incidents',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        tier TEXT NOT NULL,
        fired_at TEXT NOT NULL,
        resolved_at TEXT,
        updated_seq INTEGER NOT NULL DEFAULT 0,
        json TEXT NOT NULL
      );
      CREATE INDEX incidents_by_status ON incidents (status, fired_at DESC);
      CREATE INDEX incidents_by_fired ON incidents (fired_at DESC);

      CREATE TABLE incident_timeline (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        incident_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        note TEXT
      );
      CREATE INDEX incident_timeline_by_incident ON incident_timeline (incident_id, seq);

      CREATE TABLE silences (
        id TEXT PRIMARY KEY,
        ends_at TEXT NOT NULL,
        json TEXT NOT NULL
      );

      CREATE TABLE outbox_v7 (
        pos INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        alert_id TEXT,
        incident_id TEXT,
        note TEXT,
        until TEXT,
        created_at TEXT NOT NULL,
        state TEXT NOT NULL,
        detail TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        payload TEXT,
        reflected INTEGER NOT NULL DEFAULT 0,
        CHECK (alert_id IS NULL OR incident_id IS NULL)
      );
      -- Overrides used to carry the placeholder target 'rotation' (ROTATION_TARGET, gone in protocol 5).
      INSERT INTO outbox_v7 (pos, id, kind, alert_id, note, until, created_at, state, detail, attempts, payload)
        SELECT pos, id, kind, CASE WHEN kind = 'override' THEN NULL ELSE alert_id END,
               note, until, created_at, state, detail, attempts, payload
        FROM outbox ORDER BY pos;
      DROP TABLE outbox;
      ALTER TABLE outbox_v7 RENAME TO outbox;
      CREATE INDEX outbox_by_state ON outbox (state, pos);

      DELETE FROM alerts;
      DELETE FROM timeline;
      UPDATE sync_state SET last_seq = 0, last_sync_at = NULL WHERE id = 1;
    `);
  },
};

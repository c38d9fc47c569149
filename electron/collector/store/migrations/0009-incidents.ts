import type { Migration } from './migration.js';

/**
 * Incidents (issue 12): the pure notify core's state (pending rings, group waits, silences: a
 * restart rings each pending group wait once), stored per record so a transaction writes only
 * the records it changed (one JSON row of 10,000 held alerts cost ~100 ms a transaction): a
 * meta row (seq, open group keys, silences), one row per held alert and per held incident. Every incident as the wire
 * carries it (history outlives the core, which drops incidents an hour after they resolve), the
 * escalation state per incident (replaces the per-alert `escalations` rows), and incident
 * entries in the alert log: the same AUTOINCREMENT seq, so a replay after `lastSeq` brings
 * alert and incident entries in one gap-free order. An incident entry has `incident_id` /
 * `incident_json` set and an empty `alert_id` / `alert_json` (the columns are NOT NULL).
 */
export const m0009Incidents: Migration = {
  version: 9,
  name: 'incidents',
  up: `
    CREATE TABLE incident_core (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      state_json TEXT NOT NULL   -- {seq, openByKey, silences}
    );
    CREATE TABLE incident_core_alerts (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
    CREATE TABLE incident_core_incidents (id TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;

    CREATE TABLE incidents (
      id TEXT PRIMARY KEY,
      opened_at INTEGER NOT NULL,
      status TEXT NOT NULL,
      json TEXT NOT NULL
    );
    CREATE INDEX incidents_opened ON incidents(opened_at);
    CREATE INDEX incidents_status ON incidents(status, opened_at);

    CREATE TABLE incident_escalations (
      incident_id TEXT PRIMARY KEY,
      state_json TEXT NOT NULL,
      due_at INTEGER            -- NULL: nothing will happen on its own (acknowledged, resolved)
    ) WITHOUT ROWID;
    CREATE INDEX incident_escalations_due ON incident_escalations(due_at) WHERE due_at IS NOT NULL;

    ALTER TABLE alert_events ADD COLUMN incident_id TEXT;
    ALTER TABLE alert_events ADD COLUMN incident_json TEXT;
  `,
};

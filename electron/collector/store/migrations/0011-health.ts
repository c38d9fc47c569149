import type { Migration } from './migration.js';

/**
 * On-call health (issue 15). `health_incident_log` is a copy of the incident entries the health
 * figures read (notified, escalated, acknowledged, mitigated, resolved) with the incident's tier,
 * written by a trigger in the same transaction as the log entry, so it is exact and needs no
 * change to the notify path; it outlives `retention.eventLog` (kept for `health.keep`). Existing
 * entries are copied once here. `fatigue_pulses` holds one pulse answer per person and shift end.
 */
export const m0011Health: Migration = {
  version: 11,
  name: 'health',
  up: `
    CREATE TABLE health_incident_log (
      seq INTEGER PRIMARY KEY,   -- the alert_events seq
      at INTEGER NOT NULL,
      incident_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      actor TEXT,
      note TEXT,
      tier TEXT NOT NULL
    );
    CREATE INDEX health_incident_log_incident ON health_incident_log(incident_id, seq);
    CREATE INDEX health_incident_log_at ON health_incident_log(at);

    CREATE TRIGGER health_incident_log_copy AFTER INSERT ON alert_events
      WHEN NEW.incident_id IS NOT NULL
        AND NEW.kind IN ('notified', 'escalated', 'acknowledged', 'mitigated', 'resolved')
    BEGIN
      INSERT OR IGNORE INTO health_incident_log (seq, at, incident_id, kind, actor, note, tier)
      VALUES (NEW.seq, NEW.at, NEW.incident_id, NEW.kind, NEW.actor, NEW.note,
              COALESCE(json_extract(NEW.incident_json, '$.tier'), 'page'));
    END;

    INSERT OR IGNORE INTO health_incident_log (seq, at, incident_id, kind, actor, note, tier)
      SELECT seq, at, incident_id, kind, actor, note, COALESCE(json_extract(incident_json, '$.tier'), 'page')
      FROM alert_events
      WHERE incident_id IS NOT NULL
        AND kind IN ('notified', 'escalated', 'acknowledged', 'mitigated', 'resolved');

    CREATE TABLE fatigue_pulses (
      user TEXT NOT NULL,
      shift_end INTEGER NOT NULL,
      score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
      comment TEXT,
      command_id TEXT NOT NULL,
      answered_at INTEGER NOT NULL,
      PRIMARY KEY (user, shift_end)
    ) WITHOUT ROWID;
    CREATE INDEX fatigue_pulses_end ON fatigue_pulses(shift_end);
  `,
};

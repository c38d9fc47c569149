import type { Migration } from './migration.js';

/** The walking-skeleton schema: raw events, minute rollups, alerts + their append-only log, rule state. */
export const m0001Initial: Migration = {
  version: 1,
  name: 'initial',
  up: `
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      service TEXT NOT NULL,
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      latency_ms REAL NOT NULL,
      input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      cost_usd REAL,              -- NULL when the model is not in the price table
      unpriced INTEGER NOT NULL,  -- 1 when cost_usd is NULL because the model is unknown
      status TEXT NOT NULL,
      error_type TEXT,
      error_message TEXT,
      output_label TEXT,
      retrieval_hit INTEGER,
      feedback TEXT
    );
    CREATE INDEX events_ts ON events(ts);

    CREATE TABLE rollups (
      minute INTEGER NOT NULL,
      service TEXT NOT NULL,
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      count INTEGER NOT NULL,
      errors INTEGER NOT NULL,
      error_types TEXT NOT NULL,   -- JSON {type: count}
      latency_sketch BLOB NOT NULL,
      tokens_in INTEGER NOT NULL,
      tokens_out INTEGER NOT NULL,
      cost_usd REAL NOT NULL,
      unpriced INTEGER NOT NULL,
      output_labels TEXT NOT NULL, -- JSON {label: count}
      retrieval_hits INTEGER NOT NULL,
      retrieval_misses INTEGER NOT NULL,
      feedback_up INTEGER NOT NULL,
      feedback_down INTEGER NOT NULL,
      PRIMARY KEY (service, provider, model, minute)
    ) WITHOUT ROWID;
    CREATE INDEX rollups_minute ON rollups(minute);

    CREATE TABLE alerts (
      id TEXT PRIMARY KEY,
      status TEXT NOT NULL,
      fired_at INTEGER NOT NULL,
      json TEXT NOT NULL
    );
    CREATE INDEX alerts_fired ON alerts(fired_at);

    CREATE TABLE alert_events (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, -- AUTOINCREMENT: a seq is never reused, even after deletes
      at INTEGER NOT NULL,
      alert_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      actor TEXT,
      note TEXT,
      alert_json TEXT NOT NULL
    );
    CREATE INDEX alert_events_alert ON alert_events(alert_id, seq);

    CREATE TABLE rule_state (
      rule_id TEXT NOT NULL,
      series TEXT NOT NULL,
      json TEXT NOT NULL,
      PRIMARY KEY (rule_id, series)
    ) WITHOUT ROWID;

    CREATE TABLE applied_commands (
      id TEXT PRIMARY KEY,
      applied_at INTEGER NOT NULL,
      result_json TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) WITHOUT ROWID;
  `,
};

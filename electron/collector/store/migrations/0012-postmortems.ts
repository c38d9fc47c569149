import type { Migration } from './migration.js';

/**
 * Postmortems and weekly-review marks (issue 15). A postmortem is one JSON document (its
 * timeline, sections and action items are bounded, see shared/postmortem/schema.ts) with a
 * `rev` that grows with every change, so desktops pull only what changed after theirs. One per
 * incident. Commands are applied once per id (`postmortem_commands`, like `applied_commands`).
 * A review mark is one row per week and checklist item; the last mark wins.
 */
export const m0012Postmortems: Migration = {
  version: 12,
  name: 'postmortems',
  up: `
    CREATE TABLE postmortems (
      id TEXT PRIMARY KEY,
      incident_id TEXT NOT NULL UNIQUE,
      rev INTEGER NOT NULL UNIQUE,
      json TEXT NOT NULL
    );
    CREATE TABLE postmortem_commands (
      command_id TEXT PRIMARY KEY,
      applied_at TEXT NOT NULL,
      result_json TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE review_marks (
      week TEXT NOT NULL,
      item_key TEXT NOT NULL,
      json TEXT NOT NULL,
      PRIMARY KEY (week, item_key)
    ) WITHOUT ROWID;
  `,
};

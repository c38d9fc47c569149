import type { Migration } from './migration.js';

/**
 * Rotation overrides made from desktops (`override` commands). Keyed by the command id, so a
 * command re-sent after a reconnect is stored once; rowid order is the order they were made in,
 * and later overrides win over earlier ones, as in the config file.
 */
export const m0007RotationOverrides: Migration = {
  version: 7,
  name: 'rotation-overrides',
  up: `
    CREATE TABLE rotation_overrides (
      command_id TEXT PRIMARY KEY,
      role TEXT NOT NULL,
      user TEXT NOT NULL,
      from_at TEXT NOT NULL,
      to_at TEXT NOT NULL,
      by TEXT NOT NULL,
      at TEXT NOT NULL
    );
  `,
};

import type { Migration } from './migration.js';

/**
 * Overrides made from desktops can be withdrawn (`remove-override` commands, issue 14) and come
 * in pairs for swaps made from the calendar. A removed override keeps its row (who removed it,
 * when, with which command) so a re-sent removal is answered ok and a second one a conflict
 * naming who removed it; it stops counting at once. `swap_id` ties a swap's two halves.
 */
export const m0010RotationOverrideRemoval: Migration = {
  version: 10,
  name: 'rotation-override-removal',
  up: `
    ALTER TABLE rotation_overrides ADD COLUMN swap_id TEXT;
    ALTER TABLE rotation_overrides ADD COLUMN removed_by TEXT;
    ALTER TABLE rotation_overrides ADD COLUMN removed_at TEXT;
    ALTER TABLE rotation_overrides ADD COLUMN removed_command TEXT;
  `,
};

import Database from 'better-sqlite3';
import type { StoredOverride } from '../../../shared/protocol/rotation.js';

/** Rotation overrides in the collector's database (table from migration 0007). */
export interface OverrideStore {
  /** Stores one; false when this command id was stored before (a re-sent command). */
  add(o: StoredOverride): boolean;
  /** All of them, in the order they were made. */
  list(): StoredOverride[];
  /** Deletes those that ended before `iso`; returns how many. */
  pruneEndedBefore(iso: string): number;
  /** Of those ended by `iso`, keeps the `keep` that ended last and deletes the rest; returns how many went. */
  pruneEndedBeyond(iso: string, keep: number): number;
  close(): void;
}

interface Row {
  command_id: string;
  role: StoredOverride['role'];
  user: string;
  from_at: string;
  to_at: string;
  by: string;
  at: string;
}

/**
 * Its own connection to collector.db (opened after the store migrated it), like the series store:
 * overrides are rare and small, and this keeps the alert store's interface untouched. FULL sync:
 * a `result ok` for an override means it is on disk.
 */
export function openOverrideStore(file: string): OverrideStore {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(`INSERT OR IGNORE INTO rotation_overrides (command_id, role, user, from_at, to_at, by, at)
    VALUES (@commandId, @role, @user, @from, @to, @by, @at)`);
  const list = db.prepare(
    'SELECT command_id, role, user, from_at, to_at, by, at FROM rotation_overrides ORDER BY rowid',
  );
  // ISO times from toIso() (UTC, milliseconds) order as strings.
  const prune = db.prepare('DELETE FROM rotation_overrides WHERE to_at < ?');
  const pruneBeyond = db.prepare(`DELETE FROM rotation_overrides WHERE rowid IN (
    SELECT rowid FROM rotation_overrides WHERE to_at <= ? ORDER BY to_at DESC, rowid DESC LIMIT -1 OFFSET ?)`);
  return {
    add: (o) => insert.run(o).changes === 1,
    pruneEndedBefore: (iso) => prune.run(iso).changes,
    pruneEndedBeyond: (iso, keep) => pruneBeyond.run(iso, keep).changes,
    list: () =>
      (list.all() as Row[]).map((r) => ({
        commandId: r.command_id,
        role: r.role,
        user: r.user,
        from: r.from_at,
        to: r.to_at,
        by: r.by,
        at: r.at,
      })),
    close: () => {
      if (db.open) db.close();
    },
  };
}

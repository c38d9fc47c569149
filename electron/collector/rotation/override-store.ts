import Database from 'better-sqlite3';
import type { StoredOverride } from '../../../shared/protocol/rotation.js';

/** What a removal found: the override (whether removed, and by whom) or nothing. */
export interface OverrideRecord {
  removedBy: string | null;
  removedCommand: string | null;
}

/** Rotation overrides in the collector's database (table from migrations 0007 and 0010). */
export interface OverrideStore {
  /** Stores one; false when this command id was stored before (a re-sent command). */
  add(o: StoredOverride): boolean;
  /** All of them not removed, in the order they were made. */
  list(): StoredOverride[];
  /** One by its command id, removed or not; undefined when never stored (or pruned). */
  find(commandId: string): OverrideRecord | undefined;
  /** Marks one removed by the command `removeCommand`; false when it is gone or removed already. */
  remove(commandId: string, removeCommand: string, by: string, at: string): boolean;
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
  swap_id: string | null;
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
  const insert =
    db.prepare(`INSERT OR IGNORE INTO rotation_overrides (command_id, role, user, from_at, to_at, by, at, swap_id)
    VALUES (@commandId, @role, @user, @from, @to, @by, @at, @swapId)`);
  const list = db.prepare(
    `SELECT command_id, role, user, from_at, to_at, by, at, swap_id FROM rotation_overrides
     WHERE removed_at IS NULL ORDER BY rowid`,
  );
  const find = db.prepare(
    'SELECT removed_by AS removedBy, removed_command AS removedCommand FROM rotation_overrides WHERE command_id = ?',
  );
  const remove = db.prepare(`UPDATE rotation_overrides SET removed_by = ?, removed_at = ?, removed_command = ?
    WHERE command_id = ? AND removed_at IS NULL`);
  // ISO times from toIso() (UTC, milliseconds) order as strings.
  const prune = db.prepare('DELETE FROM rotation_overrides WHERE to_at < ?');
  const pruneBeyond = db.prepare(`DELETE FROM rotation_overrides WHERE rowid IN (
    SELECT rowid FROM rotation_overrides WHERE to_at <= ? ORDER BY to_at DESC, rowid DESC LIMIT -1 OFFSET ?)`);
  return {
    add: (o) => insert.run({ ...o, swapId: o.swapId ?? null }).changes === 1,
    find: (id) => find.get(id) as OverrideRecord | undefined,
    remove: (id, cmd, by, at) => remove.run(by, at, cmd, id).changes === 1,
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
        ...(r.swap_id !== null ? { swapId: r.swap_id } : {}),
      })),
    close: () => {
      if (db.open) db.close();
    },
  };
}

import type Database from 'better-sqlite3';
import { Incident, type IncidentStatus } from '../../../shared/protocol/incident.js';

/**
 * Incidents on the writer connection (migration 0009): the notify core's state as one JSON row,
 * and every incident as the wire carries it (`GET /v1/incidents`, snapshots). The core drops an
 * incident an hour after it resolves; this table keeps it.
 */
export interface IncidentStore {
  /** The core's persisted state as stored (the caller validates it), or undefined before the first save. */
  coreJson(): string | undefined;
  putCoreJson(json: string): void;
  get(id: string): Incident | undefined;
  /** The stored JSON text (unchanged incidents are not written again). */
  getJson(id: string): string | undefined;
  put(incident: Incident, openedAt: number, json: string): void;
  /** Newest first. */
  list(status: IncidentStatus | undefined, limit: number): Incident[];
  /** Every incident's JSON text, newest first (snapshots splice it in as stored). */
  allJson(): { id: string; json: string }[];
  /** The highest `inc-<n>` number stored (a core that starts empty continues after it). */
  maxNumber(): number;
  countOpen(): number;
}

const ID_PREFIX = 'inc-';

export function createIncidentStore(db: Database.Database): IncidentStore {
  const s = {
    getCore: db.prepare('SELECT state_json FROM incident_core WHERE id = 1').pluck(),
    putCore: db.prepare('INSERT OR REPLACE INTO incident_core (id, state_json) VALUES (1, ?)'),
    get: db.prepare('SELECT json FROM incidents WHERE id = ?').pluck(),
    put: db.prepare('INSERT OR REPLACE INTO incidents (id, opened_at, status, json) VALUES (?, ?, ?, ?)'),
    list: db.prepare('SELECT json FROM incidents ORDER BY opened_at DESC, rowid DESC LIMIT ?').pluck(),
    listByStatus: db
      .prepare('SELECT json FROM incidents WHERE status = ? ORDER BY opened_at DESC, rowid DESC LIMIT ?')
      .pluck(),
    all: db.prepare('SELECT id, json FROM incidents ORDER BY opened_at DESC, rowid DESC'),
    maxNumber: db
      .prepare(
        `SELECT COALESCE(MAX(CAST(substr(id, ${ID_PREFIX.length + 1}) AS INTEGER)), 0) FROM incidents WHERE id LIKE '${ID_PREFIX}%'`,
      )
      .pluck(),
    countOpen: db.prepare("SELECT COUNT(*) FROM incidents WHERE status != 'resolved'").pluck(),
  };
  const parse = (json: string): Incident => Incident.parse(JSON.parse(json));
  return {
    coreJson: () => (s.getCore.get() as string | undefined) ?? undefined,
    putCoreJson: (json) => void s.putCore.run(json),
    get(id) {
      const j = s.get.get(id) as string | undefined;
      return j === undefined ? undefined : parse(j);
    },
    getJson: (id) => (s.get.get(id) as string | undefined) ?? undefined,
    put: (i, openedAt, json) => void s.put.run(i.id, openedAt, i.status, json),
    list: (status, limit) =>
      ((status === undefined ? s.list.all(limit) : s.listByStatus.all(status, limit)) as string[]).map(parse),
    allJson: () => s.all.all() as { id: string; json: string }[],
    maxNumber: () => s.maxNumber.get() as number,
    countOpen: () => s.countOpen.get() as number,
  };
}

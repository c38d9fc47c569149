import type Database from 'better-sqlite3';
import { Incident, type IncidentStatus } from '../../../shared/protocol/incident.js';

/**
 * Incidents on the writer connection (migration 0009): the notify core's state as one JSON row,
 * and every incident as the wire carries it (`GET /v1/incidents`, snapshots). The core drops an
 * incident an hour after it resolves; this table keeps it.
 */
/** The core's state as stored, not yet validated (the caller does): undefined before the first save. */
export interface StoredCore {
  meta: unknown;
  alerts: [string, unknown][];
  incidents: [string, unknown][];
}

export interface IncidentStore {
  /** The core's persisted state; throws on unparsable JSON (the caller starts empty then). */
  loadCore(): StoredCore | undefined;
  /** `{seq, openByKey, silences}` of the core. */
  putCoreMeta(json: string): void;
  putCoreAlert(id: string, json: string): void;
  deleteCoreAlert(id: string): void;
  putCoreIncident(id: string, json: string): void;
  deleteCoreIncident(id: string): void;
  /** Forgets the stored core (a rebuild from the open alerts follows). */
  clearCore(): void;
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
    coreAlerts: db.prepare('SELECT id, json FROM incident_core_alerts'),
    putCoreAlert: db.prepare('INSERT OR REPLACE INTO incident_core_alerts (id, json) VALUES (?, ?)'),
    deleteCoreAlert: db.prepare('DELETE FROM incident_core_alerts WHERE id = ?'),
    coreIncidents: db.prepare('SELECT id, json FROM incident_core_incidents'),
    putCoreIncident: db.prepare('INSERT OR REPLACE INTO incident_core_incidents (id, json) VALUES (?, ?)'),
    deleteCoreIncident: db.prepare('DELETE FROM incident_core_incidents WHERE id = ?'),
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
    loadCore() {
      const meta = s.getCore.get() as string | undefined;
      if (meta === undefined) return undefined;
      const rows = (stmt: Database.Statement) =>
        (stmt.all() as { id: string; json: string }[]).map((r): [string, unknown] => [r.id, JSON.parse(r.json)]);
      return { meta: JSON.parse(meta), alerts: rows(s.coreAlerts), incidents: rows(s.coreIncidents) };
    },
    putCoreMeta: (json) => void s.putCore.run(json),
    putCoreAlert: (id, json) => void s.putCoreAlert.run(id, json),
    deleteCoreAlert: (id) => void s.deleteCoreAlert.run(id),
    putCoreIncident: (id, json) => void s.putCoreIncident.run(id, json),
    deleteCoreIncident: (id) => void s.deleteCoreIncident.run(id),
    clearCore: () => {
      db.exec('DELETE FROM incident_core; DELETE FROM incident_core_alerts; DELETE FROM incident_core_incidents;');
    },
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

import type Database from 'better-sqlite3';
import { PageState } from '../../../shared/escalation/policy.js';

/** An incident's persisted escalation state and its earliest due time (null: nothing pending). */
export interface EscalationRow {
  incidentId: string;
  state: PageState;
  dueAt: number | null;
}

/**
 * Escalation deadlines per incident (issue 12; migration 0009 — the per-alert rows of 0004 are
 * no longer read) on the collector's writer connection, so they commit in the same durable
 * transaction as the incident change and log entry that caused them.
 */
export interface EscalationStore {
  get(incidentId: string): EscalationRow | undefined;
  put(row: EscalationRow): void;
  /** The earliest due time of any incident, or undefined when nothing is pending. */
  nextDue(): number | undefined;
  /** The incident with the earliest due time at or before `now` (ties by id, so the order is stable). */
  firstDue(now: number): EscalationRow | undefined;
}

interface Row {
  incident_id: string;
  state_json: string;
  due_at: number | null;
}

function toRow(r: Row): EscalationRow {
  // Validated on read: a row from an older or damaged file fails loudly instead of paging wrongly.
  return { incidentId: r.incident_id, state: PageState.parse(JSON.parse(r.state_json)), dueAt: r.due_at };
}

export function createEscalationStore(db: Database.Database): EscalationStore {
  const s = {
    get: db.prepare('SELECT incident_id, state_json, due_at FROM incident_escalations WHERE incident_id = ?'),
    put: db.prepare('INSERT OR REPLACE INTO incident_escalations (incident_id, state_json, due_at) VALUES (?, ?, ?)'),
    nextDue: db.prepare('SELECT MIN(due_at) AS v FROM incident_escalations WHERE due_at IS NOT NULL'),
    firstDue: db.prepare(
      'SELECT incident_id, state_json, due_at FROM incident_escalations WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, incident_id LIMIT 1',
    ),
  };
  return {
    get(incidentId) {
      const r = s.get.get(incidentId) as Row | undefined;
      return r ? toRow(r) : undefined;
    },
    put: (row) => void s.put.run(row.incidentId, JSON.stringify(row.state), row.dueAt),
    nextDue() {
      const v = (s.nextDue.get() as { v: number | null }).v;
      return v ?? undefined;
    },
    firstDue(now) {
      const r = s.firstDue.get(now) as Row | undefined;
      return r ? toRow(r) : undefined;
    },
  };
}

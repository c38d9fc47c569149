import type Database from 'better-sqlite3';
import { PageState } from '../../../shared/escalation/policy.js';

/** A page's persisted escalation state and its earliest due time (null: nothing pending). */
export interface EscalationRow {
  alertId: string;
  state: PageState;
  dueAt: number | null;
}

/**
 * Escalation deadlines on the collector's writer connection, so they commit in the same
 * durable transaction as the alert change and log entry that caused them.
 */
export interface EscalationStore {
  get(alertId: string): EscalationRow | undefined;
  put(row: EscalationRow): void;
  /** The earliest due time of any page, or undefined when nothing is pending. */
  nextDue(): number | undefined;
  /** The page with the earliest due time at or before `now` (ties by alert id, so the order is stable). */
  firstDue(now: number): EscalationRow | undefined;
}

interface Row {
  alert_id: string;
  state_json: string;
  due_at: number | null;
}

function toRow(r: Row): EscalationRow {
  // Validated on read: a row from an older or damaged file fails loudly instead of paging wrongly.
  return { alertId: r.alert_id, state: PageState.parse(JSON.parse(r.state_json)), dueAt: r.due_at };
}

export function createEscalationStore(db: Database.Database): EscalationStore {
  const s = {
    get: db.prepare('SELECT alert_id, state_json, due_at FROM escalations WHERE alert_id = ?'),
    put: db.prepare('INSERT OR REPLACE INTO escalations (alert_id, state_json, due_at) VALUES (?, ?, ?)'),
    nextDue: db.prepare('SELECT MIN(due_at) AS v FROM escalations WHERE due_at IS NOT NULL'),
    firstDue: db.prepare(
      'SELECT alert_id, state_json, due_at FROM escalations WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, alert_id LIMIT 1',
    ),
  };
  return {
    get(alertId) {
      const r = s.get.get(alertId) as Row | undefined;
      return r ? toRow(r) : undefined;
    },
    put: (row) => void s.put.run(row.alertId, JSON.stringify(row.state), row.dueAt),
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

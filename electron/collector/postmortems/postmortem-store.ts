import Database from 'better-sqlite3';
import { Alert } from '../../../shared/protocol/alert.js';
import { Incident } from '../../../shared/protocol/incident.js';
import type { AlertEventKind } from '../../../shared/protocol/alert.js';
import { Postmortem, ReviewMark } from '../../../shared/postmortem/schema.js';
import type { LogMoment } from '../../../shared/postmortem/timeline.js';
import type { CommandResult } from '../store/store.js';

/**
 * Log entries read for one draft at most, half from its start and half from its end (a draft
 * keeps POSTMORTEM_MAX_TIMELINE of them, its head and its tail), so a long incident keeps its
 * mitigation and resolution.
 */
const MAX_MOMENTS_READ = 5_000;
const MOMENTS_HEAD = MAX_MOMENTS_READ / 2;
const MOMENTS_TAIL = MAX_MOMENTS_READ - MOMENTS_HEAD;
/** Member alerts read for one draft at most. */
const MAX_MEMBERS_READ = 1_000;

/** Postmortems, their command ids and review marks (migration 0012), plus the reads a draft needs. */
export interface PostmortemStore {
  get(id: string): Postmortem | undefined;
  forIncident(incidentId: string): Postmortem | undefined;
  /** Inserts or replaces; the caller sets `rev`. */
  put(pm: Postmortem): void;
  maxRev(): number;
  count(): number;
  /** Those with rev > `after`, by rev, at most `limit`. */
  after(rev: number, limit: number): Postmortem[];
  commandResult(id: string): CommandResult | undefined;
  recordCommand(id: string, at: string, result: CommandResult): void;
  /** Forgets the command ids applied before `beforeIso`; returns how many. */
  pruneCommands(beforeIso: string): number;
  putMark(mark: ReviewMark): void;
  /** Marks the week holds, and whether it holds one for `itemKey`. */
  weekMarks(week: string, itemKey: string): { count: number; has: boolean };
  /** Marks of weeks in [`sinceWeek`, `untilWeek`], at most `limit`, newest week first. */
  marksSince(sinceWeek: string, untilWeek: string, limit: number): ReviewMark[];
  /** The incident, its members and its merged log, as the collector holds them now. */
  incident(id: string): Incident | undefined;
  alerts(ids: readonly string[]): Alert[];
  moments(incidentId: string, alertIds: readonly string[]): LogMoment[];
  /** `fn` in one transaction (FULL sync: an ok result means it is on disk). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

const MOMENT_COLUMNS = 'seq, at, alert_id, incident_id, kind, actor, note';
const MOMENTS_SQL = `
  SELECT ${MOMENT_COLUMNS} FROM alert_events WHERE incident_id = @incident AND kind != 'updated'
  UNION ALL
  SELECT ${MOMENT_COLUMNS} FROM alert_events
    WHERE incident_id IS NULL AND alert_id IN (SELECT value FROM json_each(@members))
      AND kind != 'updated' AND (note IS NULL OR note NOT LIKE 'with incident %')`;

interface MomentRow {
  seq: number;
  at: number;
  alert_id: string;
  incident_id: string | null;
  kind: AlertEventKind;
  actor: string | null;
  note: string | null;
}

/**
 * Its own connection to collector.db (opened after the store migrated it), like the rotation
 * overrides: postmortems are few and small, and the alert store's interface stays untouched.
 */
export function openPostmortemStore(file: string): PostmortemStore {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const s = {
    get: db.prepare('SELECT json FROM postmortems WHERE id = ?').pluck(),
    forIncident: db.prepare('SELECT json FROM postmortems WHERE incident_id = ?').pluck(),
    put: db.prepare(`INSERT INTO postmortems (id, incident_id, rev, json) VALUES (@id, @incidentId, @rev, @json)
      ON CONFLICT (id) DO UPDATE SET rev = excluded.rev, json = excluded.json`),
    maxRev: db.prepare('SELECT COALESCE(MAX(rev), 0) FROM postmortems').pluck(),
    count: db.prepare('SELECT COUNT(*) FROM postmortems').pluck(),
    after: db.prepare('SELECT json FROM postmortems WHERE rev > ? ORDER BY rev LIMIT ?').pluck(),
    commandResult: db.prepare('SELECT result_json FROM postmortem_commands WHERE command_id = ?').pluck(),
    recordCommand: db.prepare(
      'INSERT OR IGNORE INTO postmortem_commands (command_id, applied_at, result_json) VALUES (?, ?, ?)',
    ),
    pruneCommands: db.prepare('DELETE FROM postmortem_commands WHERE applied_at < ?'),
    putMark: db.prepare(`INSERT INTO review_marks (week, item_key, json) VALUES (?, ?, ?)
      ON CONFLICT (week, item_key) DO UPDATE SET json = excluded.json`),
    marksSince: db
      .prepare('SELECT json FROM review_marks WHERE week BETWEEN ? AND ? ORDER BY week DESC, item_key LIMIT ?')
      .pluck(),
    weekCount: db.prepare('SELECT COUNT(*) FROM review_marks WHERE week = ?').pluck(),
    hasMark: db.prepare('SELECT 1 FROM review_marks WHERE week = ? AND item_key = ?').pluck(),
    incident: db.prepare('SELECT json FROM incidents WHERE id = ?').pluck(),
    alerts: db.prepare('SELECT json FROM alerts WHERE id IN (SELECT value FROM json_each(?)) LIMIT ?').pluck(),
    // The incident's own entries and its members' (the same seq space), without what a timeline
    // drops anyway (alert `updated` entries, members' mirrors of incident commands): its head and
    // its tail, each by index (alert_events_incident, alert_events_alert).
    momentsHead: db.prepare(`${MOMENTS_SQL} ORDER BY seq LIMIT @limit`),
    momentsTail: db.prepare(`${MOMENTS_SQL} ORDER BY seq DESC LIMIT @limit`),
  };
  const parsePm = (json: string): Postmortem => Postmortem.parse(JSON.parse(json));
  return {
    get: (id) => {
      const j = s.get.get(id) as string | undefined;
      return j === undefined ? undefined : parsePm(j);
    },
    forIncident: (incidentId) => {
      const j = s.forIncident.get(incidentId) as string | undefined;
      return j === undefined ? undefined : parsePm(j);
    },
    put: (pm) => void s.put.run({ id: pm.id, incidentId: pm.incident.id, rev: pm.rev, json: JSON.stringify(pm) }),
    maxRev: () => s.maxRev.get() as number,
    count: () => s.count.get() as number,
    after: (rev, limit) => (s.after.all(rev, limit) as string[]).map(parsePm),
    commandResult: (id) => {
      const j = s.commandResult.get(id) as string | undefined;
      return j === undefined ? undefined : (JSON.parse(j) as CommandResult);
    },
    recordCommand: (id, at, result) => void s.recordCommand.run(id, at, JSON.stringify(result)),
    pruneCommands: (beforeIso) => s.pruneCommands.run(beforeIso).changes,
    putMark: (m) => void s.putMark.run(m.week, m.itemKey, JSON.stringify(m)),
    weekMarks: (week, itemKey) => ({
      count: s.weekCount.get(week) as number,
      has: s.hasMark.get(week, itemKey) !== undefined,
    }),
    marksSince: (since, until, limit) =>
      (s.marksSince.all(since, until, limit) as string[]).map((j) => ReviewMark.parse(JSON.parse(j))),
    incident: (id) => {
      const j = s.incident.get(id) as string | undefined;
      return j === undefined ? undefined : Incident.parse(JSON.parse(j));
    },
    alerts: (ids) =>
      (s.alerts.all(JSON.stringify(ids), MAX_MEMBERS_READ) as string[]).map((j) => Alert.parse(JSON.parse(j))),
    moments: (incidentId, alertIds) => {
      const params = { incident: incidentId, members: JSON.stringify(alertIds) };
      const head = s.momentsHead.all({ ...params, limit: MOMENTS_HEAD }) as MomentRow[];
      const rows =
        head.length < MOMENTS_HEAD
          ? head
          : [
              ...head,
              ...(s.momentsTail.all({ ...params, limit: MOMENTS_TAIL }) as MomentRow[])
                .filter((r) => r.seq > (head[head.length - 1]?.seq ?? 0))
                .reverse(),
            ];
      return rows.map((r) => ({
        seq: r.seq,
        at: r.at,
        ...(r.incident_id === null ? { alertId: r.alert_id } : {}),
        kind: r.kind,
        ...(r.actor !== null ? { actor: r.actor } : {}),
        ...(r.note !== null ? { note: r.note } : {}),
      }));
    },
    transaction: (fn) => db.transaction(fn)(),
    close: () => {
      if (db.open) db.close();
    },
  };
}

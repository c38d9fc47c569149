import Database from 'better-sqlite3';
import { toIso } from '../../../../shared/clock.js';
import { Alert, type AlertStatus } from '../../../../shared/protocol/alert.js';
import type {
  AlertDetail,
  IncidentDetail,
  OutboxItem,
  OutboxState,
  TimelineEntry,
} from '../../../../shared/protocol/api.js';
import {
  Incident,
  Silence,
  SilenceRequest,
  SILENCE_MAX_ID,
  type IncidentStatus,
} from '../../../../shared/protocol/incident.js';
import { RotationOverride } from '../../../../shared/protocol/rotation.js';
import { PulseRequest } from '../../../../shared/protocol/health.js';
import {
  ActionItemRequest,
  PostmortemDraftRequest,
  PostmortemEditRequest,
  ReviewMarkRequest,
} from '../../../../shared/postmortem/schema.js';
import type { CommandKind, EventFrame, IncidentFrame } from '../../../../shared/protocol/stream.js';
import { z } from 'zod';
import { configureCacheConnection } from './cache-connection.js';
import { migrate } from './migrate.js';
import { migrations } from './migrations/index.js';
import { preparePrivateDatabase, restrictDatabaseFiles } from '../../../node/private-files.js';

/** Where the replica stands relative to the collector's event log. */
export interface SyncState {
  collectorUrl: string | null;
  lastSeq: number;
  serverOffsetMs: number;
  lastSyncAt: string | undefined;
}

/** The collector's whole alert and incident set at `lastSeq`: every page of a stream snapshot, gathered. */
export interface ReplicaSnapshot {
  lastSeq: number;
  alerts: readonly Alert[];
  incidents: readonly Incident[];
}

/** One entry of the collector's log: an alert event or an incident event (one seq space). */
export type LogFrame = EventFrame | IncidentFrame;

/** What a write changed, for the listeners (the UI, the alarm). */
export interface ReplicaChange {
  alerts: string[];
  incidents: string[];
}

/** A command as stored in the outbox (what gets re-sent with the same id after reconnect). */
export interface OutboxCommand {
  id: string;
  kind: CommandKind;
  /** The target of ack, resolve, …: at most one of the two (none for the payload kinds). */
  alertId?: string;
  incidentId?: string;
  note?: string;
  until?: string;
  /** Kind `override`: the rotation override to apply. */
  override?: RotationOverride;
  /** Kind `silence`: the silence asked for (its id is the command's id). */
  silence?: SilenceRequest;
  /** Kind `expire-silence`: the silence to end now. */
  silenceId?: string;
  /** Kind `remove-override`: the override (its command id) to withdraw. */
  overrideId?: string;
  /** Kind `pulse`: a fatigue pulse answer (issue 15). */
  pulse?: PulseRequest;
  /** Issue 15 kinds: `postmortem-draft`, `postmortem-edit`, `action-item`, `review-mark`. */
  postmortemDraft?: PostmortemDraftRequest;
  postmortemEdit?: PostmortemEditRequest;
  actionItem?: ActionItemRequest;
  reviewMark?: ReviewMarkRequest;
  createdAt: string;
  state: OutboxState;
  detail?: string;
  attempts: number;
}

/** The fields that carry a payload command's body (one per kind; stored as JSON in the outbox row). */
export type OutboxPayload = Pick<
  OutboxCommand,
  | 'override'
  | 'silence'
  | 'silenceId'
  | 'overrideId'
  | 'pulse'
  | 'postmortemDraft'
  | 'postmortemEdit'
  | 'actionItem'
  | 'reviewMark'
>;

/** A command as the Outbox hands it to the cache (the cache adds its state). */
export type NewOutboxCommand = Pick<
  OutboxCommand,
  'id' | 'kind' | 'alertId' | 'incidentId' | 'note' | 'until' | 'createdAt'
> &
  OutboxPayload;

/** A silence command not yet reflected by the collector's silences list (see `pendingSilenceCommands`). */
export type SilenceCommand = Pick<OutboxCommand, 'id' | 'kind' | 'createdAt' | 'state' | 'silence' | 'silenceId'>;

/** The desktop's local replica: everything the UI reads comes from here, never the network. */
export interface Cache {
  readonly path: string;
  syncState(): SyncState;
  /** Ties the replica to one collector; a different URL wipes the replica (seqs are per collector). */
  bindCollector(url: string): boolean;
  /**
   * Applies log entries (alert and incident events, in seq order) in one transaction, skipping
   * seq ≤ lastSeq. Returns the alert and incident ids changed.
   */
  applyEvents(events: readonly LogFrame[], syncedAt: string): ReplicaChange;
  /**
   * Replaces the alert and incident sets with a complete snapshot (all its pages) and moves
   * lastSeq to it, in one transaction: the replica is the old state or the new one, never a mix.
   */
  applySnapshot(snapshot: ReplicaSnapshot, syncedAt: string): ReplicaChange;
  /** Replaces the silences with the collector's list (a `silences` frame). */
  /** `nowMs`: when the list arrived (an expire command is reflected once its silence has ended by then). */
  replaceSilences(silences: readonly Silence[], nowMs: number): void;
  setServerOffset(ms: number): void;
  touchSync(at: string): void;
  /** Forgets alerts, timeline and stream position (collector was reset or replaced). */
  resetReplica(): void;
  listAlerts(status?: AlertStatus): Alert[];
  getAlert(id: string): AlertDetail | null;
  /** The alert alone, without its timeline: for hot paths (the alarm looks at every changed alert). */
  alert(id: string): Alert | null;
  hasAlert(id: string): boolean;
  /** Incidents newest first (by firedAt), optionally of one status. */
  listIncidents(status?: IncidentStatus): Incident[];
  /** The incident, its member alerts and one timeline merging both, by seq. */
  getIncident(id: string): IncidentDetail | null;
  /** The incident alone (the alarm's hot path). */
  incident(id: string): Incident | null;
  /** How many of the incident's members are open (not resolved); unknown members count as open. */
  openMemberCount(incident: Incident): number;
  /** The incidents these alerts belong to (as the cached alerts say), each once. */
  incidentIdsOf(alertIds: readonly string[]): string[];
  /** The silences as the collector last sent them. */
  silences(): Silence[];
  /**
   * Silence and expire-silence commands the collector's list does not reflect yet: unanswered,
   * or applied after the last silences frame. Oldest first.
   */
  pendingSilenceCommands(): SilenceCommand[];
  enqueue(cmd: NewOutboxCommand): OutboxItem;
  /** The most recent outbox items, oldest first. */
  outbox(limit?: number): OutboxItem[];
  /** Commands not yet answered (queued or sent), in the order they were made. */
  unanswered(): OutboxCommand[];
  /** Issue 15 commands not answered yet (queued or sent), oldest first: the desktop shows them applied. */
  pendingPostmortemCommands(): OutboxCommand[];
  /** Rotation commands (override, remove-override) not applied yet: queued, sent, or refused. Oldest first, the latest `limit`. */
  rotationCommands(limit: number): OutboxCommand[];
  pendingCount(): number;
  /** Updates one item's state; returns null when the id is unknown. */
  markOutbox(id: string, state: OutboxState, detail?: string): OutboxItem | null;
  /**
   * Retention: forgets up to `limit` alerts and up to `limit` incidents resolved before
   * `beforeIso` with their timelines, and answered outbox items made before it. Open alerts and
   * incidents, and unanswered commands, are kept.
   */
  prune(beforeIso: string, limit: number): PruneResult;
  close(): void;
}

export interface PruneResult {
  alerts: number;
  incidents: number;
  timeline: number;
  outbox: number;
}

export interface OpenCacheOptions {
  /** ISO time recorded with applied migrations. */
  now: string;
  log?: (message: string) => void;
}

/** Queries slower than this are logged: on a desktop they mean a janky UI. */
const SLOW_QUERY_MS = 40;
const MAX_ALERTS_LISTED = 1000;
/** The inbox lists incidents; same bound as alerts. */
const MAX_INCIDENTS_LISTED = 1000;
/** An incident's detail: member alerts shown (the incident's alertIds has them all) … */
const MAX_MEMBERS_LISTED = 1000;
/** … and the newest entries of its merged timeline. */
const MAX_INCIDENT_TIMELINE = 5000;
/** Bound on the alerts remembered as last written (see SqliteCache.written). */
const MAX_WRITTEN_REMEMBERED = 1000;

interface AlertRow {
  json: string;
}
interface TimelineRow {
  seq: number;
  at: string;
  kind: TimelineEntry['kind'];
  actor: string | null;
  note: string | null;
}
interface TimelineRowWithAlert extends TimelineRow {
  alert_id: string | null;
}
interface OutboxRow {
  id: string;
  kind: CommandKind;
  alert_id: string | null;
  incident_id: string | null;
  note: string | null;
  until: string | null;
  created_at: string;
  state: OutboxState;
  detail: string | null;
  attempts: number;
  payload: string | null;
  reflected: number;
}
interface SyncRow {
  collector_url: string | null;
  last_seq: number;
  server_offset_ms: number;
  last_sync_at: string | null;
}

export function openCache(path: string, opts: OpenCacheOptions): Cache {
  // 0600 before SQLite creates anything: the -wal and -shm files inherit the main file's mode.
  preparePrivateDatabase(path);
  const db = new Database(path);
  try {
    // WAL + NORMAL: commits are atomic and survive a killed process; only an OS crash can lose
    // the last commits, which the collector replays anyway (the stream resumes from lastSeq).
    configureCacheConnection(db, 2000);
    restrictDatabaseFiles(path);
    db.pragma('foreign_keys = ON');
    migrate(db, migrations, opts.now);
  } catch (err) {
    db.close();
    throw err;
  }
  return new SqliteCache(db, path, opts.log ?? (() => {}));
}

class SqliteCache implements Cache {
  private readonly stmt;
  private readonly applyEventsTx;
  /**
   * Every live event reads the sync state (applyEvents, the status pushed after it, the alarm's
   * server offset) and the pending count. Only this class writes those rows, so they are kept in
   * memory: null means "read it again", and every write sets it back to null or to what committed.
   */
  private syncMemo: SyncState | null = null;
  private pendingMemo: number | null = null;
  /**
   * Alerts as this process last committed them (already validated on the way in): the alarm reads
   * every changed alert right after the commit, and re-reading + parsing the JSON cost more than
   * the write. Cleared by anything that deletes or replaces alerts.
   */
  private readonly written = new Map<string, Alert>();

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    private readonly log: (message: string) => void,
  ) {
    this.stmt = {
      sync: db.prepare('SELECT collector_url, last_seq, server_offset_ms, last_sync_at FROM sync_state WHERE id = 1'),
      setUrl: db.prepare('UPDATE sync_state SET collector_url = ? WHERE id = 1'),
      setSeq: db.prepare('UPDATE sync_state SET last_seq = ?, last_sync_at = ? WHERE id = 1'),
      setOffset: db.prepare('UPDATE sync_state SET server_offset_ms = ? WHERE id = 1'),
      touch: db.prepare('UPDATE sync_state SET last_sync_at = ? WHERE id = 1'),
      resetSeq: db.prepare('UPDATE sync_state SET last_seq = 0, last_sync_at = NULL WHERE id = 1'),
      upsertAlert: db.prepare(`
        INSERT INTO alerts (id, status, tier, fired_at, updated_seq, json) VALUES (@id, @status, @tier, @firedAt, @seq, @json)
        ON CONFLICT (id) DO UPDATE SET status = excluded.status, tier = excluded.tier, fired_at = excluded.fired_at,
          updated_seq = excluded.updated_seq, json = excluded.json
        WHERE excluded.updated_seq >= alerts.updated_seq`),
      insertTimeline: db.prepare(
        'INSERT OR IGNORE INTO timeline (seq, at, alert_id, kind, actor, note) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      upsertIncident: db.prepare(`
        INSERT INTO incidents (id, status, tier, fired_at, resolved_at, updated_seq, json)
          VALUES (@id, @status, @tier, @firedAt, @resolvedAt, @seq, @json)
        ON CONFLICT (id) DO UPDATE SET status = excluded.status, tier = excluded.tier, fired_at = excluded.fired_at,
          resolved_at = excluded.resolved_at, updated_seq = excluded.updated_seq, json = excluded.json
        WHERE excluded.updated_seq >= incidents.updated_seq`),
      insertIncidentTimeline: db.prepare(
        'INSERT OR IGNORE INTO incident_timeline (seq, at, incident_id, kind, actor, note) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      allIncidentIds: db.prepare('SELECT id FROM incidents'),
      clearIncidents: db.prepare('DELETE FROM incidents'),
      clearIncidentTimeline: db.prepare('DELETE FROM incident_timeline'),
      listIncidents: db.prepare('SELECT json FROM incidents ORDER BY fired_at DESC, id LIMIT ?'),
      listIncidentsByStatus: db.prepare(
        'SELECT json FROM incidents WHERE status = ? ORDER BY fired_at DESC, id LIMIT ?',
      ),
      getIncident: db.prepare('SELECT json FROM incidents WHERE id = ?'),
      // Members by the incident's own list (a JSON array bound as one parameter).
      members: db.prepare(
        'SELECT json FROM alerts WHERE id IN (SELECT value FROM json_each(?)) ORDER BY fired_at, id LIMIT ?',
      ),
      incidentIdsOf: db.prepare(
        `SELECT DISTINCT json_extract(json, '$.incidentId') AS id FROM alerts
           WHERE id IN (SELECT value FROM json_each(?)) AND json_extract(json, '$.incidentId') IS NOT NULL`,
      ),
      resolvedMembers: db.prepare(
        "SELECT COUNT(*) AS n FROM alerts WHERE status = 'resolved' AND id IN (SELECT value FROM json_each(?))",
      ),
      // The newest entries of the incident's own log and its members' logs, merged by seq.
      incidentTimeline: db.prepare(`
        SELECT * FROM (
          SELECT seq, at, NULL AS alert_id, kind, actor, note FROM incident_timeline WHERE incident_id = @id
          UNION ALL
          SELECT seq, at, alert_id, kind, actor, note FROM timeline
            WHERE alert_id IN (SELECT value FROM json_each(@members))
          ORDER BY seq DESC LIMIT @limit
        ) ORDER BY seq`),
      oldResolvedIncidents: db.prepare(
        'SELECT id FROM incidents WHERE resolved_at IS NOT NULL AND resolved_at < ? LIMIT ?',
      ),
      deleteIncident: db.prepare('DELETE FROM incidents WHERE id = ?'),
      deleteIncidentTimeline: db.prepare('DELETE FROM incident_timeline WHERE incident_id = ?'),
      clearSilences: db.prepare('DELETE FROM silences'),
      insertSilence: db.prepare('INSERT OR REPLACE INTO silences (id, ends_at, json) VALUES (?, ?, ?)'),
      // In the collector's order (rows are replaced together, so rowid is the frame's order).
      listSilences: db.prepare('SELECT json FROM silences ORDER BY rowid'),
      // A silences frame reflects every silence command the collector had answered by then.
      reflectSilenceCommands: db.prepare(
        "UPDATE outbox SET reflected = 1 WHERE kind IN ('silence', 'expire-silence') AND state = 'applied'",
      ),
      // The collector may broadcast the list before it answers the command: a listed silence (its
      // id is the command's) or an expired one reflects its command whatever the answer's state.
      reflectListedSilences: db.prepare(
        `UPDATE outbox SET reflected = 1 WHERE reflected = 0 AND (
           (kind = 'silence' AND id IN (SELECT id FROM silences))
           OR (kind = 'expire-silence' AND state != 'queued' AND NOT EXISTS (
                 SELECT 1 FROM silences s WHERE s.id = json_extract(outbox.payload, '$.silenceId') AND s.ends_at > ?)))`,
      ),
      rotationCommands: db.prepare(
        `SELECT * FROM outbox WHERE kind IN ('override', 'remove-override') AND state != 'applied'
           ORDER BY pos DESC LIMIT ?`,
      ),
      pendingPostmortemCommands: db.prepare(
        // A draft the collector applied shows, with its applied edits and items, until the pull
        // brings it (no flicker in between; nothing newer can be overwritten, the cache has none).
        `SELECT * FROM outbox WHERE kind IN ('postmortem-draft', 'postmortem-edit', 'action-item', 'review-mark')
           AND (state IN ('queued', 'sent') OR (state = 'applied' AND kind != 'review-mark' AND NOT EXISTS (
             SELECT 1 FROM postmortems p WHERE CASE WHEN outbox.kind = 'postmortem-draft'
               THEN p.incident_id = json_extract(outbox.payload, '$.incidentId')
               ELSE p.id = json_extract(outbox.payload, '$.postmortemId') END))) ORDER BY pos`,
      ),
      pendingSilenceCommands: db.prepare(
        `SELECT * FROM outbox WHERE kind IN ('silence', 'expire-silence') AND reflected = 0
           AND state IN ('queued', 'sent', 'applied') ORDER BY pos`,
      ),
      allAlertIds: db.prepare('SELECT id FROM alerts'),
      clearAlerts: db.prepare('DELETE FROM alerts'),
      clearTimeline: db.prepare('DELETE FROM timeline'),
      // The chart and rotation tables replicate the collector too (migrations 0004–0006).
      clearChartBuckets: db.prepare('DELETE FROM chart_buckets'),
      clearChartKeys: db.prepare('DELETE FROM chart_keys'),
      clearChartEvals: db.prepare('DELETE FROM chart_evals'),
      resetChartSync: db.prepare('UPDATE chart_sync SET synced_to = NULL, synced_at = NULL, compacted_before = NULL'),
      clearRotation: db.prepare('DELETE FROM rotation'),
      // Issue 15: postmortems and review marks are the collector's too (migration 0010).
      clearPostmortems: db.prepare('DELETE FROM postmortems'),
      clearReviewMarks: db.prepare('DELETE FROM review_marks'),
      listAll: db.prepare('SELECT json FROM alerts ORDER BY fired_at DESC, id LIMIT ?'),
      listByStatus: db.prepare('SELECT json FROM alerts WHERE status = ? ORDER BY fired_at DESC, id LIMIT ?'),
      getAlert: db.prepare('SELECT json FROM alerts WHERE id = ?'),
      timeline: db.prepare('SELECT seq, at, kind, actor, note FROM timeline WHERE alert_id = ? ORDER BY seq'),
      insertOutbox:
        db.prepare(`INSERT INTO outbox (id, kind, alert_id, incident_id, note, until, created_at, state, payload)
        VALUES (@id, @kind, @alertId, @incidentId, @note, @until, @createdAt, 'queued', @payload)`),
      outboxRecent: db.prepare('SELECT * FROM (SELECT * FROM outbox ORDER BY pos DESC LIMIT ?) ORDER BY pos'),
      outboxUnanswered: db.prepare("SELECT * FROM outbox WHERE state IN ('queued', 'sent') ORDER BY pos"),
      outboxCount: db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state IN ('queued', 'sent')"),
      outboxGet: db.prepare('SELECT * FROM outbox WHERE id = ?'),
      oldResolved: db.prepare(
        "SELECT id FROM alerts WHERE status = 'resolved' AND json_extract(json, '$.resolvedAt') < ? LIMIT ?",
      ),
      deleteAlert: db.prepare('DELETE FROM alerts WHERE id = ?'),
      deleteTimeline: db.prepare('DELETE FROM timeline WHERE alert_id = ?'),
      pruneOutbox: db.prepare("DELETE FROM outbox WHERE state IN ('applied', 'conflict', 'failed') AND created_at < ?"),
      outboxMark: db.prepare(
        'UPDATE outbox SET state = ?, detail = COALESCE(?, detail), attempts = attempts + ? WHERE id = ?',
      ),
    };
    // Made once: db.transaction() per call showed in the per-event profile.
    this.applyEventsTx = db.transaction((events: readonly LogFrame[], syncedAt: string) => {
      const before = this.syncState();
      let lastSeq = before.lastSeq;
      // Only an alert's (incident's) newest state in the batch is stored: a replay touching one
      // many times costs one upsert (and one JSON.stringify) for it, not one per event.
      const latest = new Map<string, { alert: Alert; seq: number }>();
      const latestIncidents = new Map<string, { incident: Incident; seq: number }>();
      for (const e of events) {
        if (e.seq <= lastSeq) continue; // replayed: already applied
        if (e.type === 'event') {
          this.stmt.insertTimeline.run(e.seq, e.at, e.alertId, e.kind, e.actor ?? null, e.note ?? null);
          latest.set(e.alert.id, { alert: e.alert, seq: e.seq });
        } else {
          this.stmt.insertIncidentTimeline.run(e.seq, e.at, e.incidentId, e.kind, e.actor ?? null, e.note ?? null);
          latestIncidents.set(e.incident.id, { incident: e.incident, seq: e.seq });
        }
        lastSeq = e.seq;
      }
      const stored: Alert[] = [];
      for (const { alert, seq } of latest.values()) if (this.upsertAlert(alert, seq)) stored.push(alert);
      for (const { incident, seq } of latestIncidents.values()) this.upsertIncident(incident, seq);
      // Position and the events it covers commit together: a crash can't skip or repeat one.
      this.syncMemo = null;
      this.stmt.setSeq.run(lastSeq, syncedAt);
      return {
        changed: { alerts: [...latest.keys()], incidents: [...latestIncidents.keys()] },
        stored,
        state: { ...before, lastSeq, lastSyncAt: syncedAt },
      };
    });
  }

  private timed<T>(name: string, fn: () => T): T {
    const start = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - start;
      if (ms > SLOW_QUERY_MS) this.log(`cache: slow ${name} took ${ms.toFixed(0)} ms`);
    }
  }

  syncState(): SyncState {
    if (!this.syncMemo) {
      const row = this.stmt.sync.get() as SyncRow;
      this.syncMemo = {
        collectorUrl: row.collector_url,
        lastSeq: row.last_seq,
        serverOffsetMs: row.server_offset_ms,
        lastSyncAt: row.last_sync_at ?? undefined,
      };
    }
    return { ...this.syncMemo };
  }

  bindCollector(url: string): boolean {
    const current = this.syncState().collectorUrl;
    if (current === url) return false;
    this.syncMemo = null;
    this.db.transaction(() => {
      if (current !== null) this.resetReplicaInTx();
      this.stmt.setUrl.run(url);
    })();
    this.syncMemo = null;
    return current !== null;
  }

  applyEvents(events: readonly LogFrame[], syncedAt: string): ReplicaChange {
    return this.timed('applyEvents', () => {
      const { changed, stored, state } = this.applyEventsTx(events, syncedAt);
      // Committed: only now may memory say so.
      this.syncMemo = state;
      for (const a of stored) this.remember(a);
      return changed;
    });
  }

  applySnapshot(snapshot: ReplicaSnapshot, syncedAt: string): ReplicaChange {
    this.forgetAll();
    try {
      return this.applySnapshotTx(snapshot, syncedAt);
    } finally {
      // The transaction read (and memoized) the sync state it then moved.
      this.forgetAll();
    }
  }

  private applySnapshotTx(snapshot: ReplicaSnapshot, syncedAt: string): ReplicaChange {
    return this.timed('applySnapshot', () =>
      this.db.transaction(() => {
        const before = this.syncState().lastSeq;
        // A snapshot behind us means the collector's log restarted: our timeline seqs would collide.
        if (snapshot.lastSeq < before) {
          this.stmt.clearTimeline.run();
          this.stmt.clearIncidentTimeline.run();
        }
        // Alerts and incidents the snapshot no longer has are gone from the collector; they change too.
        const alerts = changedIds(snapshot.alerts, this.stmt.allAlertIds.all() as { id: string }[]);
        const incidents = changedIds(snapshot.incidents, this.stmt.allIncidentIds.all() as { id: string }[]);
        this.stmt.clearAlerts.run();
        this.stmt.clearIncidents.run();
        for (const a of snapshot.alerts) this.upsertAlert(a, snapshot.lastSeq);
        for (const i of snapshot.incidents) this.upsertIncident(i, snapshot.lastSeq);
        this.stmt.setSeq.run(snapshot.lastSeq, syncedAt);
        return { alerts, incidents };
      })(),
    );
  }

  replaceSilences(silences: readonly Silence[], nowMs: number): void {
    this.timed('replaceSilences', () =>
      this.db.transaction(() => {
        this.stmt.clearSilences.run();
        for (const s of silences) this.stmt.insertSilence.run(s.id, toIso(Date.parse(s.endsAt)), JSON.stringify(s));
        this.stmt.reflectSilenceCommands.run();
        this.stmt.reflectListedSilences.run(toIso(nowMs));
      })(),
    );
  }

  private upsertIncident(incident: Incident, seq: number): void {
    this.stmt.upsertIncident.run({
      id: incident.id,
      status: incident.status,
      tier: incident.tier,
      firedAt: incident.firedAt,
      resolvedAt: incident.resolvedAt ?? null,
      seq,
      json: JSON.stringify(incident),
    });
  }

  /** True when the row was written (not skipped as older than the stored one). */
  private upsertAlert(alert: Alert, seq: number): boolean {
    const res = this.stmt.upsertAlert.run({
      id: alert.id,
      status: alert.status,
      tier: alert.tier,
      firedAt: alert.firedAt,
      seq,
      json: JSON.stringify(alert),
    });
    return res.changes > 0;
  }

  private remember(alert: Alert): void {
    if (this.written.size >= MAX_WRITTEN_REMEMBERED && !this.written.has(alert.id)) this.written.clear();
    this.written.set(alert.id, alert);
  }

  /** Memory can no longer vouch for any alert, sync state or outbox count. */
  private forgetAll(): void {
    this.written.clear();
    this.syncMemo = null;
    this.pendingMemo = null;
  }

  setServerOffset(ms: number): void {
    this.syncMemo = null;
    this.stmt.setOffset.run(ms);
  }

  touchSync(at: string): void {
    this.syncMemo = null;
    this.stmt.touch.run(at);
  }

  resetReplica(): void {
    this.forgetAll();
    this.db.transaction(() => this.resetReplicaInTx())();
    this.forgetAll();
  }

  /**
   * Everything copied from a collector goes: alerts, incidents, silences, timelines, stream position, chart rollups and
   * their sync position, the rotation. Left behind, chart rows would be skipped by the next sync
   * (it resumes from its high-water mark) and the charts of a new collector would stay empty.
   * Runbooks stay: their sync replaces them by content version. The outbox stays: unanswered
   * commands are the user's.
   */
  private resetReplicaInTx(): void {
    this.stmt.clearAlerts.run();
    this.stmt.clearTimeline.run();
    this.stmt.clearIncidents.run();
    this.stmt.clearIncidentTimeline.run();
    this.stmt.clearSilences.run();
    this.stmt.resetSeq.run();
    this.stmt.clearChartBuckets.run();
    this.stmt.clearChartKeys.run();
    this.stmt.clearChartEvals.run();
    this.stmt.resetChartSync.run();
    this.stmt.clearRotation.run();
    this.stmt.clearPostmortems.run();
    this.stmt.clearReviewMarks.run();
  }

  listAlerts(status?: AlertStatus): Alert[] {
    return this.timed('listAlerts', () => {
      const rows = (
        status ? this.stmt.listByStatus.all(status, MAX_ALERTS_LISTED) : this.stmt.listAll.all(MAX_ALERTS_LISTED)
      ) as AlertRow[];
      return rows.map((r) => parseAlert(r.json));
    });
  }

  getAlert(id: string): AlertDetail | null {
    const row = this.stmt.getAlert.get(id) as AlertRow | undefined;
    if (!row) return null;
    const timeline = (this.stmt.timeline.all(id) as TimelineRow[]).map(toEntry);
    return { alert: parseAlert(row.json), timeline };
  }

  alert(id: string): Alert | null {
    const known = this.written.get(id);
    if (known) return known;
    const row = this.stmt.getAlert.get(id) as AlertRow | undefined;
    return row ? parseAlert(row.json) : null;
  }

  hasAlert(id: string): boolean {
    return this.stmt.getAlert.get(id) !== undefined;
  }

  listIncidents(status?: IncidentStatus): Incident[] {
    return this.timed('listIncidents', () => {
      const rows = (
        status
          ? this.stmt.listIncidentsByStatus.all(status, MAX_INCIDENTS_LISTED)
          : this.stmt.listIncidents.all(MAX_INCIDENTS_LISTED)
      ) as AlertRow[];
      return rows.map((r) => parseIncident(r.json));
    });
  }

  getIncident(id: string): IncidentDetail | null {
    return this.timed('getIncident', () => {
      const incident = this.incident(id);
      if (!incident) return null;
      const members = JSON.stringify(incident.alertIds);
      const alerts = (this.stmt.members.all(members, MAX_MEMBERS_LISTED) as AlertRow[]).map((r) => parseAlert(r.json));
      const rows = this.stmt.incidentTimeline.all({
        id,
        members,
        limit: MAX_INCIDENT_TIMELINE,
      }) as TimelineRowWithAlert[];
      const timeline = rows.map((t): TimelineEntry => ({
        ...toEntry(t),
        ...(t.alert_id !== null ? { alertId: t.alert_id } : {}),
      }));
      return { incident, alerts, timeline };
    });
  }

  incident(id: string): Incident | null {
    const row = this.stmt.getIncident.get(id) as AlertRow | undefined;
    return row ? parseIncident(row.json) : null;
  }

  openMemberCount(incident: Incident): number {
    const resolved = (this.stmt.resolvedMembers.get(JSON.stringify(incident.alertIds)) as { n: number }).n;
    return incident.alertIds.length - resolved;
  }

  incidentIdsOf(alertIds: readonly string[]): string[] {
    if (alertIds.length === 0) return [];
    return (this.stmt.incidentIdsOf.all(JSON.stringify(alertIds)) as { id: string }[]).map((r) => r.id);
  }

  silences(): Silence[] {
    const out: Silence[] = [];
    for (const r of this.stmt.listSilences.all() as AlertRow[]) {
      const parsed = parseJson(Silence, r.json);
      if (parsed) out.push(parsed);
      else this.log('cache: skipping an unreadable silence row');
    }
    return out;
  }

  pendingSilenceCommands(): SilenceCommand[] {
    return (this.stmt.pendingSilenceCommands.all() as OutboxRow[]).map((r) => {
      const c = toCommand(r);
      return {
        id: c.id,
        kind: c.kind,
        createdAt: c.createdAt,
        state: c.state,
        ...(c.silence !== undefined ? { silence: c.silence } : {}),
        ...(c.silenceId !== undefined ? { silenceId: c.silenceId } : {}),
      };
    });
  }

  enqueue(cmd: NewOutboxCommand): OutboxItem {
    this.pendingMemo = null;
    this.stmt.insertOutbox.run({
      id: cmd.id,
      kind: cmd.kind,
      // Only the targeted kinds have a target; the payload kinds carry their own.
      alertId: cmd.alertId ?? null,
      incidentId: cmd.alertId === undefined ? (cmd.incidentId ?? null) : null,
      createdAt: cmd.createdAt,
      note: cmd.note ?? null,
      until: cmd.until ?? null,
      payload: encodePayload(cmd),
    });
    return toItem(this.stmt.outboxGet.get(cmd.id) as OutboxRow);
  }

  outbox(limit = 200): OutboxItem[] {
    return (this.stmt.outboxRecent.all(limit) as OutboxRow[]).map(toItem);
  }

  unanswered(): OutboxCommand[] {
    return (this.stmt.outboxUnanswered.all() as OutboxRow[]).map(toCommand);
  }

  pendingPostmortemCommands(): OutboxCommand[] {
    return (this.stmt.pendingPostmortemCommands.all() as OutboxRow[]).map(toCommand);
  }

  rotationCommands(limit: number): OutboxCommand[] {
    return (this.stmt.rotationCommands.all(limit) as OutboxRow[]).map(toCommand).reverse();
  }

  pendingCount(): number {
    this.pendingMemo ??= (this.stmt.outboxCount.get() as { n: number }).n;
    return this.pendingMemo;
  }

  markOutbox(id: string, state: OutboxState, detail?: string): OutboxItem | null {
    this.pendingMemo = null;
    const res = this.stmt.outboxMark.run(state, detail ?? null, state === 'sent' ? 1 : 0, id);
    if (res.changes === 0) return null;
    return toItem(this.stmt.outboxGet.get(id) as OutboxRow);
  }

  prune(beforeIso: string, limit: number): PruneResult {
    this.forgetAll();
    return this.timed('prune', () =>
      this.db.transaction(() => {
        const out: PruneResult = { alerts: 0, incidents: 0, timeline: 0, outbox: 0 };
        for (const { id } of this.stmt.oldResolved.all(beforeIso, limit) as { id: string }[]) {
          out.timeline += this.stmt.deleteTimeline.run(id).changes;
          out.alerts += this.stmt.deleteAlert.run(id).changes;
        }
        for (const { id } of this.stmt.oldResolvedIncidents.all(beforeIso, limit) as { id: string }[]) {
          out.timeline += this.stmt.deleteIncidentTimeline.run(id).changes;
          out.incidents += this.stmt.deleteIncident.run(id).changes;
        }
        out.outbox = this.stmt.pruneOutbox.run(beforeIso).changes;
        return out;
      })(),
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** The JSON was validated when it arrived; parsing again guards against a hand-edited file. */
function parseAlert(json: string): Alert {
  return Alert.parse(JSON.parse(json));
}

function parseIncident(json: string): Incident {
  return Incident.parse(JSON.parse(json));
}

/** Ids in `incoming` plus the stored ones it no longer has. */
function changedIds(incoming: readonly { id: string }[], stored: readonly { id: string }[]): string[] {
  const ids = new Set(incoming.map((x) => x.id));
  const changed = new Set(ids);
  for (const row of stored) if (!ids.has(row.id)) changed.add(row.id);
  return [...changed];
}

function toEntry(t: TimelineRow): TimelineEntry {
  return {
    seq: t.seq,
    at: t.at,
    kind: t.kind,
    ...(t.actor !== null ? { actor: t.actor } : {}),
    ...(t.note !== null ? { note: t.note } : {}),
  };
}

/** Validated on the way in; parsed again here because the file is outside our control. */
function parseJson<T>(schema: z.ZodType<T>, text: string | null): T | undefined {
  if (text === null) return undefined;
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

const ExpirePayload = z.strictObject({ silenceId: z.string().min(1).max(SILENCE_MAX_ID) });
const RemoveOverridePayload = z.strictObject({ overrideId: z.string().min(1).max(100) });

/** The payload column holds what the kind carries: an override, a silence request, or the silence to expire. */
function encodePayload(cmd: NewOutboxCommand): string | null {
  if (cmd.kind === 'override' && cmd.override !== undefined) return JSON.stringify(cmd.override);
  if (cmd.kind === 'silence' && cmd.silence !== undefined) return JSON.stringify(cmd.silence);
  if (cmd.kind === 'expire-silence' && cmd.silenceId !== undefined) {
    return JSON.stringify({ silenceId: cmd.silenceId });
  }
  if (cmd.kind === 'remove-override' && cmd.overrideId !== undefined) {
    return JSON.stringify({ overrideId: cmd.overrideId });
  }
  if (cmd.kind === 'pulse' && cmd.pulse !== undefined) return JSON.stringify(cmd.pulse);
  if (cmd.kind === 'postmortem-draft' && cmd.postmortemDraft !== undefined) return JSON.stringify(cmd.postmortemDraft);
  if (cmd.kind === 'postmortem-edit' && cmd.postmortemEdit !== undefined) return JSON.stringify(cmd.postmortemEdit);
  if (cmd.kind === 'action-item' && cmd.actionItem !== undefined) return JSON.stringify(cmd.actionItem);
  if (cmd.kind === 'review-mark' && cmd.reviewMark !== undefined) return JSON.stringify(cmd.reviewMark);
  return null;
}

function decodePayload(r: OutboxRow): OutboxPayload {
  switch (r.kind) {
    case 'override': {
      const override = parseJson(RotationOverride, r.payload);
      return override !== undefined ? { override } : {};
    }
    case 'silence': {
      const silence = parseJson(SilenceRequest, r.payload);
      return silence !== undefined ? { silence } : {};
    }
    case 'expire-silence': {
      const p = parseJson(ExpirePayload, r.payload);
      return p !== undefined ? { silenceId: p.silenceId } : {};
    }
    case 'remove-override': {
      const p = parseJson(RemoveOverridePayload, r.payload);
      return p !== undefined ? { overrideId: p.overrideId } : {};
    }
    case 'pulse': {
      const pulse = parseJson(PulseRequest, r.payload);
      return pulse !== undefined ? { pulse } : {};
    }
    case 'postmortem-draft': {
      const p = parseJson(PostmortemDraftRequest, r.payload);
      return p !== undefined ? { postmortemDraft: p } : {};
    }
    case 'postmortem-edit': {
      const p = parseJson(PostmortemEditRequest, r.payload);
      return p !== undefined ? { postmortemEdit: p } : {};
    }
    case 'action-item': {
      const p = parseJson(ActionItemRequest, r.payload);
      return p !== undefined ? { actionItem: p } : {};
    }
    case 'review-mark': {
      const p = parseJson(ReviewMarkRequest, r.payload);
      return p !== undefined ? { reviewMark: p } : {};
    }
    default:
      return {};
  }
}

function target(r: OutboxRow): Pick<OutboxCommand, 'alertId' | 'incidentId'> {
  if (r.alert_id !== null) return { alertId: r.alert_id };
  if (r.incident_id !== null) return { incidentId: r.incident_id };
  return {};
}

function toCommand(r: OutboxRow): OutboxCommand {
  return {
    id: r.id,
    kind: r.kind,
    ...target(r),
    ...(r.note !== null ? { note: r.note } : {}),
    ...(r.until !== null ? { until: r.until } : {}),
    ...decodePayload(r),
    createdAt: r.created_at,
    state: r.state,
    ...(r.detail !== null ? { detail: r.detail } : {}),
    attempts: r.attempts,
  };
}

function toItem(r: OutboxRow): OutboxItem {
  return {
    id: r.id,
    kind: r.kind,
    ...target(r),
    createdAt: r.created_at,
    state: r.state,
    ...(r.detail !== null ? { detail: r.detail } : {}),
  };
}

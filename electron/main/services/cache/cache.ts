import Database from 'better-sqlite3';
import { Alert, type AlertStatus } from '../../../../shared/protocol/alert.js';
import type { AlertDetail, OutboxItem, OutboxState, TimelineEntry } from '../../../../shared/protocol/api.js';
import { RotationOverride } from '../../../../shared/protocol/rotation.js';
import type { CommandKind, EventFrame } from '../../../../shared/protocol/stream.js';
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

/** The collector's whole alert set at `lastSeq`: every page of a stream snapshot, gathered. */
export interface ReplicaSnapshot {
  lastSeq: number;
  alerts: readonly Alert[];
}

/** A command as stored in the outbox (what gets re-sent with the same id after reconnect). */
export interface OutboxCommand {
  id: string;
  kind: CommandKind;
  alertId: string;
  note?: string;
  until?: string;
  /** Kind `override`: the rotation override to apply. */
  override?: RotationOverride;
  createdAt: string;
  state: OutboxState;
  detail?: string;
  attempts: number;
}

export type NewOutboxCommand = Pick<
  OutboxCommand,
  'id' | 'kind' | 'alertId' | 'note' | 'until' | 'override' | 'createdAt'
>;

/** The desktop's local replica: everything the UI reads comes from here, never the network. */
export interface Cache {
  readonly path: string;
  syncState(): SyncState;
  /** Ties the replica to one collector; a different URL wipes the replica (seqs are per collector). */
  bindCollector(url: string): boolean;
  /** Applies stream events in one transaction, skipping seq ≤ lastSeq. Returns the alert ids changed. */
  applyEvents(events: readonly EventFrame[], syncedAt: string): string[];
  /**
   * Replaces the alert set with a complete snapshot (all its pages) and moves lastSeq to it, in
   * one transaction: the replica is the old state or the new one, never a mix. Returns the alert ids changed.
   */
  applySnapshot(snapshot: ReplicaSnapshot, syncedAt: string): string[];
  setServerOffset(ms: number): void;
  touchSync(at: string): void;
  /** Forgets alerts, timeline and stream position (collector was reset or replaced). */
  resetReplica(): void;
  listAlerts(status?: AlertStatus): Alert[];
  getAlert(id: string): AlertDetail | null;
  /** The alert alone, without its timeline: for hot paths (the alarm looks at every changed alert). */
  alert(id: string): Alert | null;
  hasAlert(id: string): boolean;
  enqueue(cmd: NewOutboxCommand): OutboxItem;
  /** The most recent outbox items, oldest first. */
  outbox(limit?: number): OutboxItem[];
  /** Commands not yet answered (queued or sent), in the order they were made. */
  unanswered(): OutboxCommand[];
  pendingCount(): number;
  /** Updates one item's state; returns null when the id is unknown. */
  markOutbox(id: string, state: OutboxState, detail?: string): OutboxItem | null;
  /**
   * Retention: forgets up to `limit` alerts resolved before `beforeIso` with their timelines,
   * and answered outbox items made before it. Open alerts and unanswered commands are kept.
   */
  prune(beforeIso: string, limit: number): PruneResult;
  close(): void;
}

export interface PruneResult {
  alerts: number;
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
interface OutboxRow {
  id: string;
  kind: CommandKind;
  alert_id: string;
  note: string | null;
  until: string | null;
  created_at: string;
  state: OutboxState;
  detail: string | null;
  attempts: number;
  payload: string | null;
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
      allAlertIds: db.prepare('SELECT id FROM alerts'),
      clearAlerts: db.prepare('DELETE FROM alerts'),
      clearTimeline: db.prepare('DELETE FROM timeline'),
      // The chart and rotation tables replicate the collector too (migrations 0004–0006).
      clearChartBuckets: db.prepare('DELETE FROM chart_buckets'),
      clearChartKeys: db.prepare('DELETE FROM chart_keys'),
      clearChartEvals: db.prepare('DELETE FROM chart_evals'),
      resetChartSync: db.prepare('UPDATE chart_sync SET synced_to = NULL, synced_at = NULL, compacted_before = NULL'),
      clearRotation: db.prepare('DELETE FROM rotation'),
      listAll: db.prepare('SELECT json FROM alerts ORDER BY fired_at DESC, id LIMIT ?'),
      listByStatus: db.prepare('SELECT json FROM alerts WHERE status = ? ORDER BY fired_at DESC, id LIMIT ?'),
      getAlert: db.prepare('SELECT json FROM alerts WHERE id = ?'),
      timeline: db.prepare('SELECT seq, at, kind, actor, note FROM timeline WHERE alert_id = ? ORDER BY seq'),
      insertOutbox: db.prepare(`INSERT INTO outbox (id, kind, alert_id, note, until, created_at, state, payload)
        VALUES (@id, @kind, @alertId, @note, @until, @createdAt, 'queued', @payload)`),
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
    this.applyEventsTx = db.transaction((events: readonly EventFrame[], syncedAt: string) => {
      const before = this.syncState();
      let lastSeq = before.lastSeq;
      // Only an alert's newest state in the batch is stored: a replay touching one alert many
      // times costs one upsert (and one JSON.stringify) for it, not one per event.
      const latest = new Map<string, { alert: Alert; seq: number }>();
      for (const e of events) {
        if (e.seq <= lastSeq) continue; // replayed: already applied
        this.stmt.insertTimeline.run(e.seq, e.at, e.alertId, e.kind, e.actor ?? null, e.note ?? null);
        latest.set(e.alert.id, { alert: e.alert, seq: e.seq });
        lastSeq = e.seq;
      }
      const stored: Alert[] = [];
      for (const { alert, seq } of latest.values()) if (this.upsertAlert(alert, seq)) stored.push(alert);
      // Position and the events it covers commit together: a crash can't skip or repeat one.
      this.syncMemo = null;
      this.stmt.setSeq.run(lastSeq, syncedAt);
      return { changed: [...latest.keys()], stored, state: { ...before, lastSeq, lastSyncAt: syncedAt } };
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

  applyEvents(events: readonly EventFrame[], syncedAt: string): string[] {
    return this.timed('applyEvents', () => {
      const { changed, stored, state } = this.applyEventsTx(events, syncedAt);
      // Committed: only now may memory say so.
      this.syncMemo = state;
      for (const a of stored) this.remember(a);
      return changed;
    });
  }

  applySnapshot(snapshot: ReplicaSnapshot, syncedAt: string): string[] {
    this.forgetAll();
    try {
      return this.applySnapshotTx(snapshot, syncedAt);
    } finally {
      // The transaction read (and memoized) the sync state it then moved.
      this.forgetAll();
    }
  }

  private applySnapshotTx(snapshot: ReplicaSnapshot, syncedAt: string): string[] {
    return this.timed('applySnapshot', () =>
      this.db.transaction(() => {
        const before = this.syncState().lastSeq;
        // A snapshot behind us means the collector's log restarted: our timeline seqs would collide.
        if (snapshot.lastSeq < before) this.stmt.clearTimeline.run();
        const incoming = new Set(snapshot.alerts.map((a) => a.id));
        const changed = new Set(incoming);
        for (const row of this.stmt.allAlertIds.all() as { id: string }[]) {
          // Alerts the snapshot no longer has are gone from the collector; they change too.
          if (!incoming.has(row.id)) changed.add(row.id);
        }
        this.stmt.clearAlerts.run();
        for (const a of snapshot.alerts) this.upsertAlert(a, snapshot.lastSeq);
        this.stmt.setSeq.run(snapshot.lastSeq, syncedAt);
        return [...changed];
      })(),
    );
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
   * Everything copied from a collector goes: alerts, timeline, stream position, chart rollups and
   * their sync position, the rotation. Left behind, chart rows would be skipped by the next sync
   * (it resumes from its high-water mark) and the charts of a new collector would stay empty.
   * Runbooks stay: their sync replaces them by content version. The outbox stays: unanswered
   * commands are the user's.
   */
  private resetReplicaInTx(): void {
    this.stmt.clearAlerts.run();
    this.stmt.clearTimeline.run();
    this.stmt.resetSeq.run();
    this.stmt.clearChartBuckets.run();
    this.stmt.clearChartKeys.run();
    this.stmt.clearChartEvals.run();
    this.stmt.resetChartSync.run();
    this.stmt.clearRotation.run();
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
    const timeline = (this.stmt.timeline.all(id) as TimelineRow[]).map((t): TimelineEntry => ({
      seq: t.seq,
      at: t.at,
      kind: t.kind,
      ...(t.actor !== null ? { actor: t.actor } : {}),
      ...(t.note !== null ? { note: t.note } : {}),
    }));
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

  enqueue(cmd: NewOutboxCommand): OutboxItem {
    this.pendingMemo = null;
    this.stmt.insertOutbox.run({
      id: cmd.id,
      kind: cmd.kind,
      alertId: cmd.alertId,
      createdAt: cmd.createdAt,
      note: cmd.note ?? null,
      until: cmd.until ?? null,
      payload: cmd.override !== undefined ? JSON.stringify(cmd.override) : null,
    });
    return toItem(this.stmt.outboxGet.get(cmd.id) as OutboxRow);
  }

  outbox(limit = 200): OutboxItem[] {
    return (this.stmt.outboxRecent.all(limit) as OutboxRow[]).map(toItem);
  }

  unanswered(): OutboxCommand[] {
    return (this.stmt.outboxUnanswered.all() as OutboxRow[]).map(toCommand);
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
        const out: PruneResult = { alerts: 0, timeline: 0, outbox: 0 };
        for (const { id } of this.stmt.oldResolved.all(beforeIso, limit) as { id: string }[]) {
          out.timeline += this.stmt.deleteTimeline.run(id).changes;
          out.alerts += this.stmt.deleteAlert.run(id).changes;
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

/** Validated on the way in; parsed again here because the file is outside our control. */
function parsePayload(payload: string | null): RotationOverride | undefined {
  if (payload === null) return undefined;
  try {
    const r = RotationOverride.safeParse(JSON.parse(payload));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

function toCommand(r: OutboxRow): OutboxCommand {
  const override = parsePayload(r.payload);
  return {
    id: r.id,
    kind: r.kind,
    alertId: r.alert_id,
    ...(r.note !== null ? { note: r.note } : {}),
    ...(r.until !== null ? { until: r.until } : {}),
    ...(override !== undefined ? { override } : {}),
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
    alertId: r.alert_id,
    createdAt: r.created_at,
    state: r.state,
    ...(r.detail !== null ? { detail: r.detail } : {}),
  };
}

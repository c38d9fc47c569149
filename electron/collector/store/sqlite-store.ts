import Database from 'better-sqlite3';
import type { Clock } from '../../../shared/clock.js';
import { Alert, type AlertStatus } from '../../../shared/protocol/alert.js';
import type { MinuteBucket } from '../../../shared/rollup/bucket.js';
import type { MinuteCounts, SeriesKey } from '../../../shared/rollup/window.js';
import type { RuleState } from '../../../shared/rules/state-machine.js';
import { createEscalationStore } from './escalation-store.js';
import { createEvalsStore, createIntegrationKeyStore } from './evals-store.js';
import { migrate } from './migrate.js';
import { watermarkAt } from '../ingest/event-time.js';
import { createRollupHistoryStore, rollupFromRow, rollupParams, type RollupColumns } from './rollup-history-store.js';
import { createIncidentStore } from './incident-store.js';
import { Incident } from '../../../shared/protocol/incident.js';
import type {
  CollectorStore,
  CommandResult,
  LogEntry,
  NewLogEntry,
  PricedEvent,
  RawStreamEntry,
  StreamEntry,
} from './store.js';
import { preparePrivateDatabase, restrictDatabaseFiles } from '../../node/private-files.js';

interface RollupRow extends RollupColumns {
  minute: number;
}

interface LogRow {
  seq: number;
  at: number;
  alert_id: string;
  kind: LogEntry['kind'];
  actor: string | null;
  note: string | null;
  alert_json: string;
  /** Set on incident entries (migration 0009); their alert_id / alert_json are empty. */
  incident_id: string | null;
  incident_json: string | null;
}

function rowToRaw(r: LogRow): RawStreamEntry {
  const base = {
    seq: r.seq,
    at: r.at,
    kind: r.kind,
    ...(r.actor !== null ? { actor: r.actor } : {}),
    ...(r.note !== null ? { note: r.note } : {}),
  };
  if (r.incident_id !== null) return { ...base, incidentId: r.incident_id, incidentJson: r.incident_json ?? '' };
  return { ...base, alertId: r.alert_id, alertJson: r.alert_json };
}

function rowToLog(r: LogRow): StreamEntry {
  const raw = rowToRaw(r);
  if ('incidentJson' in raw) {
    const { incidentJson, ...rest } = raw;
    return { ...rest, incident: Incident.parse(JSON.parse(incidentJson)) };
  }
  const { alertJson, ...rest } = raw;
  return { ...rest, alert: Alert.parse(JSON.parse(alertJson)) };
}

/**
 * A batch as migration 0006 stores it: `series` is a JSON array of [service, provider, model]
 * and `rows` a JSON array of compact rows, in this column order (the `events` view undoes it):
 * ts, series index, latency_ms, input_tokens, output_tokens, cost_usd, unpriced, status,
 * error_type, error_message, output_label, retrieval_hit, feedback. Two native stringify calls
 * and no per-row SQLite work; the series dictionary keeps the rows ~30% smaller.
 */
export function encodeEventBatch(events: readonly PricedEvent[]): { series: string; rows: string } {
  const series: [string, string, string][] = [];
  const index = new Map<string, Map<string, Map<string, number>>>();
  const rows = new Array<unknown[]>(events.length);
  for (let i = 0; i < events.length; i++) {
    const { event: e, costUsd } = events[i] as PricedEvent;
    let byProvider = index.get(e.service);
    if (!byProvider) index.set(e.service, (byProvider = new Map()));
    let byModel = byProvider.get(e.provider);
    if (!byModel) byProvider.set(e.provider, (byModel = new Map()));
    let si = byModel.get(e.model);
    if (si === undefined) {
      si = series.push([e.service, e.provider, e.model]) - 1;
      byModel.set(e.model, si);
    }
    rows[i] = [
      e.ts,
      si,
      e.latency_ms,
      e.input_tokens,
      e.output_tokens,
      costUsd,
      costUsd === null ? 1 : 0,
      e.status,
      e.error_type ?? null,
      e.error_message ?? null,
      e.output_label ?? null,
      e.retrieval_hit === undefined ? null : e.retrieval_hit ? 1 : 0,
      e.feedback ?? null,
    ];
  }
  return { series: JSON.stringify(series), rows: JSON.stringify(rows) };
}

function minTs(events: readonly PricedEvent[]): number {
  let min = Infinity;
  for (const p of events) if (p.event.ts < min) min = p.event.ts;
  return min;
}

export interface OpenStoreOptions {
  /**
   * false: no automatic checkpoint on this connection (a commit never copies the WAL into the
   * file inside a request); the caller runs a WalCheckpointer instead. Default true.
   */
  autoCheckpoint?: boolean;
  /**
   * The collector's clock: `stats().lastEventTs` never reports past it (rows up to
   * ingest.maxFutureSkew ahead may be stored; the rules' watermark stops at the clock too).
   * Absent (tools, tests): the raw stored mark.
   */
  clock?: Clock;
}

/** A rewound WAL file is trimmed back to this size (it otherwise keeps its high-water mark). */
const JOURNAL_SIZE_LIMIT = 16 * 1024 * 1024;
/** Rule cursors (rule-runtime): re-derivable, see `derivedChanges`. */
const DERIVED_META = new Set(['rules_cursor', 'eval_rules_cursor']);
/** The one-row FULL commit that makes a durable() transaction's writes durable. */
const DURABLE_SYNC_META = 'durable_sync';

export function openStore(file: string, now = 0, opts: OpenStoreOptions = {}): CollectorStore {
  // 0600 before SQLite creates anything: the -wal and -shm files inherit the main file's mode.
  preparePrivateDatabase(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  restrictDatabaseFiles(file);
  if (opts.autoCheckpoint === false) db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deliberate memory bounds (the collector's RSS budget is 250 MB): an 8 MiB page cache holds
  // the hot rollup rows and indexes (events are append-only and never read back on ingest); no
  // mmap, so the OS page cache, not our RSS, holds the file.
  db.pragma('cache_size = -8192');
  db.pragma('mmap_size = 0');
  migrate(db, undefined, now);
  const s = {
    insertBatch: db.prepare(
      'INSERT INTO event_batches (received_at, min_ts, max_ts, count, series, rows) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    upsertRollup: db.prepare(
      `INSERT OR REPLACE INTO rollups (minute, service, provider, model, count, errors, error_types, latency_sketch,
         tokens_in, tokens_out, cost_usd, unpriced, output_labels, retrieval_hits, retrieval_misses, feedback_up, feedback_down)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    getRollup: db.prepare('SELECT * FROM rollups WHERE service = ? AND provider = ? AND model = ? AND minute = ?'),
    minuteCounts: db.prepare(
      'SELECT minute, count, errors FROM rollups WHERE service = ? AND provider = ? AND model = ? AND minute BETWEEN ? AND ? ORDER BY minute',
    ),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    deleteMeta: db.prepare('DELETE FROM meta WHERE key = ?'),
    // Start-up recovery from far-future rows (both on indexed columns).
    saneMaxTs: db.prepare(
      `SELECT MAX(v) AS v FROM (
         SELECT MAX(max_ts) AS v FROM event_batches WHERE max_ts <= @c
         UNION ALL SELECT MAX(minute) FROM rollups WHERE minute <= @c)`,
    ),
    countAhead: db.prepare('SELECT COALESCE(SUM(count), 0) AS v FROM rollups WHERE minute > ?'),
    setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
    ruleStates: db.prepare('SELECT series, json FROM rule_state WHERE rule_id = ?'),
    putRuleState: db.prepare('INSERT OR REPLACE INTO rule_state (rule_id, series, json) VALUES (?, ?, ?)'),
    getAlert: db.prepare('SELECT json FROM alerts WHERE id = ?'),
    putAlert: db.prepare('INSERT OR REPLACE INTO alerts (id, status, fired_at, json) VALUES (?, ?, ?, ?)'),
    listAlerts: db.prepare('SELECT json FROM alerts ORDER BY fired_at DESC, rowid DESC'),
    listAlertsByStatus: db.prepare('SELECT json FROM alerts WHERE status = ? ORDER BY fired_at DESC, rowid DESC'),
    appendLog: db.prepare(
      'INSERT INTO alert_events (at, alert_id, kind, actor, note, alert_json) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    appendIncidentLog: db.prepare(
      "INSERT INTO alert_events (at, alert_id, kind, actor, note, alert_json, incident_id, incident_json) VALUES (?, '', ?, ?, ?, '', ?, ?)",
    ),
    logAfter: db.prepare('SELECT * FROM alert_events WHERE seq > ? ORDER BY seq LIMIT ?'),
    // sqlite_sequence, not MAX(seq): once retention has pruned the whole log, the position must
    // not fall back to 0 (clients would think the collector was reset).
    lastSeq: db.prepare(
      "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'alert_events'), (SELECT MAX(seq) FROM alert_events), 0) AS v",
    ),
    firstSeq: db.prepare('SELECT MIN(seq) AS v FROM alert_events'),
    // Walks the log in seq order and stops at the first young entry: reads only the prunable prefix.
    firstYoungSeq: db.prepare('SELECT seq AS v FROM alert_events WHERE at >= ? ORDER BY seq LIMIT 1'),
    pruneLogBelow: db.prepare('DELETE FROM alert_events WHERE seq < ?'),
    getCommand: db.prepare('SELECT result_json FROM applied_commands WHERE id = ?'),
    putCommand: db.prepare('INSERT INTO applied_commands (id, applied_at, result_json) VALUES (?, ?, ?)'),
    countEvents: db.prepare('SELECT COALESCE(SUM(count), 0) AS v FROM event_batches'),
    countAlerts: db.prepare('SELECT COUNT(*) AS v FROM alerts'),
    syncFull: db.prepare('PRAGMA synchronous = FULL'),
    syncNormal: db.prepare('PRAGMA synchronous = NORMAL'),
    totalChanges: db.prepare('SELECT total_changes() AS v').pluck(),
    checkpoint: db.prepare('PRAGMA wal_checkpoint(PASSIVE)'),
  };
  const totalChanges = (): number => s.totalChanges.get() as number;

  /**
   * Rows written inside the current durable() transaction that are re-derivable from the rollups
   * (rule state, the rule cursors): if a crash of the OS loses them, the rules re-evaluate those
   * minutes to the same result. Only these may commit without FULL; any other row (alert, log,
   * deadline, command id, or anything not counted here) makes durable() sync.
   */
  let derivedChanges = 0;
  const countDerived = (write: () => void): void => {
    const before = totalChanges();
    write();
    derivedChanges += totalChanges() - before;
  };
  const rollupHistoryStore = createRollupHistoryStore(db);
  const rollupHistory: typeof rollupHistoryStore = {
    ...rollupHistoryStore,
    setMeta: (key, value) =>
      DERIVED_META.has(key) && db.inTransaction
        ? countDerived(() => rollupHistoryStore.setMeta(key, value))
        : rollupHistoryStore.setMeta(key, value),
  };
  let durableSyncs = 0;

  const ingestTx = db.transaction(
    (events: readonly PricedEvent[], buckets: readonly MinuteBucket[], receivedAt: number, maxEventTs: number) => {
      if (events.length > 0) {
        const enc = encodeEventBatch(events);
        s.insertBatch.run(receivedAt, minTs(events), maxEventTs, events.length, enc.series, enc.rows);
      }
      for (const b of buckets) {
        // Positional, in the column order above: no parameter object per bucket (every ingest).
        s.upsertRollup.run(...rollupParams(b, b.minute));
      }
      const prev = Number((s.getMeta.get('max_event_ts') as { value: string } | undefined)?.value ?? -Infinity);
      if (maxEventTs > prev) s.setMeta.run('max_event_ts', String(maxEventTs));
    },
  );

  const store: CollectorStore = {
    escalations: createEscalationStore(db),
    incidents: createIncidentStore(db),
    evals: createEvalsStore(db),
    integrationKeys: createIntegrationKeyStore(db),
    rollupHistory,
    ingestBatch: (events, buckets, receivedAt, maxEventTs) => ingestTx(events, buckets, receivedAt, maxEventTs),

    loadBucket(key, minute) {
      const r = s.getRollup.get(key.service, key.provider, key.model, minute) as RollupRow | undefined;
      if (!r) return undefined;
      return { ...rollupFromRow(r), minute: r.minute };
    },

    minuteCounts: (key: SeriesKey, from: number, to: number) =>
      s.minuteCounts.all(key.service, key.provider, key.model, from, to) as MinuteCounts[],

    maxEventTs() {
      const r = s.getMeta.get('max_event_ts') as { value: string } | undefined;
      return r ? Number(r.value) : undefined;
    },

    clampMaxEventTs(ceiling) {
      const stored = store.maxEventTs();
      // NaN (a corrupt value) is repaired too.
      if (stored === undefined || stored <= ceiling) return undefined;
      return db.transaction(() => {
        const sane = (s.saneMaxTs.get({ c: ceiling }) as { v: number | null }).v ?? undefined;
        if (sane === undefined) s.deleteMeta.run('max_event_ts');
        else s.setMeta.run('max_event_ts', String(sane));
        return { eventsAhead: (s.countAhead.get(ceiling) as { v: number }).v, maxEventTs: sane };
      })();
    },

    durable<T>(fn: () => T): T {
      // Nested: part of the outer transaction, which decides.
      if (db.inTransaction) return db.transaction(fn)();
      // Most minute closes only move rule state and the cursor; their fsync was the ~10 ms tail
      // of ingest. So commit NORMAL, and if anything else was written, make it durable before
      // returning (listeners and HTTP answers come after): a FULL commit of one meta row fsyncs
      // the WAL up to and including this transaction. The synchronous level cannot change
      // inside a transaction, hence the second commit rather than a late switch.
      derivedChanges = 0;
      const before = totalChanges();
      const result = db.transaction(fn)();
      if (totalChanges() - before > derivedChanges) {
        // Per connection and we are single-threaded, so flipping the pragma around the
        // commit makes exactly this commit wait for fsync of the WAL.
        s.syncFull.run();
        try {
          s.setMeta.run(DURABLE_SYNC_META, String(++durableSyncs));
        } finally {
          s.syncNormal.run();
        }
      }
      return result;
    },

    ruleStates: (ruleId) =>
      (s.ruleStates.all(ruleId) as { series: string; json: string }[]).map((r) => ({
        series: r.series,
        state: JSON.parse(r.json) as RuleState,
      })),
    putRuleState: (ruleId, series, state) => {
      derivedChanges += s.putRuleState.run(ruleId, series, JSON.stringify(state)).changes;
    },

    getAlert(id) {
      const r = s.getAlert.get(id) as { json: string } | undefined;
      return r ? Alert.parse(JSON.parse(r.json)) : undefined;
    },
    putAlert: (a) => void s.putAlert.run(a.id, a.status, Date.parse(a.firedAt), JSON.stringify(a)),

    appendLog(entry: NewLogEntry): LogEntry {
      const info = s.appendLog.run(
        entry.at,
        entry.alertId,
        entry.kind,
        entry.actor ?? null,
        entry.note ?? null,
        JSON.stringify(entry.alert),
      );
      return { ...entry, seq: Number(info.lastInsertRowid) };
    },

    appendIncidentLog(entry) {
      const info = s.appendIncidentLog.run(
        entry.at,
        entry.kind,
        entry.actor ?? null,
        entry.note ?? null,
        entry.incidentId,
        JSON.stringify(entry.incident),
      );
      return { ...entry, seq: Number(info.lastInsertRowid) };
    },

    commandResult(id) {
      const r = s.getCommand.get(id) as { result_json: string } | undefined;
      return r ? (JSON.parse(r.result_json) as CommandResult) : undefined;
    },
    recordCommand: (id, at, result) => void s.putCommand.run(id, at, JSON.stringify(result)),

    listAlerts(status?: AlertStatus) {
      const rows = (status ? s.listAlertsByStatus.all(status) : s.listAlerts.all()) as { json: string }[];
      return rows.map((r) => Alert.parse(JSON.parse(r.json)));
    },
    logAfter: (seq, limit) => (s.logAfter.all(seq, limit) as LogRow[]).map(rowToLog),
    logTextAfter: (seq, limit) => (s.logAfter.all(seq, limit) as LogRow[]).map(rowToRaw),
    lastSeq: () => (s.lastSeq.get() as { v: number }).v,
    firstRetainedSeq() {
      const v = (s.firstSeq.get() as { v: number | null }).v;
      return v ?? store.lastSeq() + 1;
    },
    pruneLog(beforeAt, maxRows, limit) {
      const head = store.lastSeq();
      const first = store.firstRetainedSeq();
      const firstYoung = (s.firstYoungSeq.get(beforeAt) as { v: number } | undefined)?.v ?? head + 1;
      const keepFrom = Math.max(firstYoung, head - maxRows + 1);
      const below = Math.min(keepFrom, first + limit);
      if (below <= first) return 0;
      return s.pruneLogBelow.run(below).changes;
    },
    stats: () => ({
      events: (s.countEvents.get() as { v: number }).v,
      alerts: (s.countAlerts.get() as { v: number }).v,
      lastSeq: store.lastSeq(),
      // Where the stored data ends (the ingest high-water mark), for a sender resuming a backfill.
      // Clamped like the rules' watermark: a sender resuming from here must not start in the future.
      lastEventTs: (opts.clock ? watermarkAt(store.maxEventTs(), opts.clock.now()) : store.maxEventTs()) ?? null,
    }),
    checkpointWal: () => void s.checkpoint.get(),
    close: () => db.close(),
  };
  return store;
}

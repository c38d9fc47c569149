import type { Alert, AlertEventKind, AlertStatus } from '../../../shared/protocol/alert.js';
import type { Incident } from '../../../shared/protocol/incident.js';
import type { LlmEvent } from '../../../shared/protocol/events.js';
import type { MinuteBucket } from '../../../shared/rollup/bucket.js';
import type { MinuteCounts, SeriesKey } from '../../../shared/rollup/window.js';
import type { RuleState } from '../../../shared/rules/state-machine.js';
import type { EscalationStore } from './escalation-store.js';
import type { EvalsStore, IntegrationKeyStore } from './evals-store.js';
import type { IncidentStore } from './incident-store.js';
import type { RollupHistoryStore } from './rollup-history-store.js';

/** An accepted event with its resolved cost (null = model not in the price table). */
export interface PricedEvent {
  event: LlmEvent;
  costUsd: number | null;
}

/** One row of the append-only alert log. */
export interface LogEntry {
  seq: number;
  at: number;
  alertId: string;
  kind: AlertEventKind;
  actor?: string;
  note?: string;
  alert: Alert;
}

export type NewLogEntry = Omit<LogEntry, 'seq'>;

/** An incident's entry in the same log (issue 12): same seq space, so replay brings both in order. */
export interface IncidentLogEntry {
  seq: number;
  at: number;
  incidentId: string;
  kind: AlertEventKind;
  actor?: string;
  note?: string;
  incident: Incident;
}

export type NewIncidentLogEntry = Omit<IncidentLogEntry, 'seq'>;

/** Any log entry: an alert's (`alert`) or an incident's (`incident`). */
export type StreamEntry = LogEntry | IncidentLogEntry;

export function isIncidentEntry(e: StreamEntry): e is IncidentLogEntry {
  return 'incident' in e;
}

/** A log row whose alert is still the JSON text written by `appendLog` (validated then). */
export type RawLogEntry = Omit<LogEntry, 'alert'> & { alertJson: string };
/** The same for an incident entry. */
export type RawIncidentLogEntry = Omit<IncidentLogEntry, 'incident'> & { incidentJson: string };
export type RawStreamEntry = RawLogEntry | RawIncidentLogEntry;

export interface CommandResult {
  ok: boolean;
  conflict?: string;
  error?: string;
}

/**
 * The collector's only door to SQLite. Event ingest runs with synchronous=NORMAL (WAL: a crash
 * of the OS may lose the last batches, never corrupt); everything under `durable()` (alert
 * state, log, rule state, command ids) commits with synchronous=FULL.
 */
export interface CollectorStore {
  /** Escalation deadlines per incident (same connection, so they commit with the alert change). */
  readonly escalations: EscalationStore;
  /** The notify core's state and the wire incidents (migration 0009). */
  readonly incidents: IncidentStore;
  /** Eval runs and the eval scheduler's job state (`evals.recentEvalRuns`, `evals.evalSuites` feed the eval rules). */
  readonly evals: EvalsStore;
  /** Alertmanager fingerprints / Events-v2 dedup keys → the alert they opened. */
  readonly integrationKeys: IntegrationKeyStore;
  /** Hourly rollups, downsampling/retention, error signatures, the rule cursor (migration 0003). */
  readonly rollupHistory: RollupHistoryStore;
  /** One transaction: raw events, the touched rollup buckets (full rows), the event-time high-water mark. */
  ingestBatch(
    events: readonly PricedEvent[],
    buckets: readonly MinuteBucket[],
    receivedAt: number,
    maxEventTs: number,
  ): void;
  loadBucket(key: SeriesKey, minute: number): MinuteBucket | undefined;
  minuteCounts(key: SeriesKey, fromMinute: number, toMinute: number): MinuteCounts[];
  maxEventTs(): number | undefined;
  /**
   * Start-up recovery (issue 11): when the stored event-time high-water mark is beyond
   * `ceiling` (an older version stored a far-future event), resets it to the newest stored
   * time at or before `ceiling` and returns how many stored events lie beyond it; otherwise
   * undefined (no scan).
   */
  clampMaxEventTs(ceiling: number): { eventsAhead: number; maxEventTs: number | undefined } | undefined;

  /**
   * Runs `fn` in one transaction that is on disk (WAL fsynced) when this returns. A transaction
   * that only wrote re-derivable rule state / rule cursors skips the fsync (see sqlite-store).
   */
  durable<T>(fn: () => T): T;
  ruleStates(ruleId: string): { series: string; state: RuleState }[];
  putRuleState(ruleId: string, series: string, state: RuleState): void;
  getAlert(id: string): Alert | undefined;
  putAlert(alert: Alert): void;
  appendLog(entry: NewLogEntry): LogEntry;
  appendIncidentLog(entry: NewIncidentLogEntry): IncidentLogEntry;
  commandResult(id: string): CommandResult | undefined;
  recordCommand(id: string, at: number, result: CommandResult): void;

  listAlerts(status?: AlertStatus): Alert[];
  logAfter(seq: number, limit: number): StreamEntry[];
  /** The same rows with the alert / incident as its stored JSON text: replay forwards it without re-parsing. */
  logTextAfter(seq: number, limit: number): RawStreamEntry[];
  lastSeq(): number;
  /** Oldest seq still in the log (log retention may prune), or lastSeq + 1 when empty. */
  firstRetainedSeq(): number;
  /**
   * Log retention: deletes a prefix of the log (so replay after the oldest kept seq stays
   * gap-free) covering entries older than `beforeAt` and those beyond the newest `maxRows`,
   * at most `limit` rows per call. Returns the number deleted.
   */
  pruneLog(beforeAt: number, maxRows: number, limit: number): number;
  /** `lastEventTs`: the newest stored event time (epoch ms, never past the clock when the store has one), null when there is none. */
  stats(): { events: number; alerts: number; lastSeq: number; lastEventTs: number | null };
  /** PRAGMA wal_checkpoint(PASSIVE) on the writer connection (see WalCheckpointer's `finish`). */
  checkpointWal(): void;
  close(): void;
}

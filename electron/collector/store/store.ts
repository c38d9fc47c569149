import type { Alert, AlertEventKind, AlertStatus } from '../../../shared/protocol/alert.js';
import type { LlmEvent } from '../../../shared/protocol/events.js';
import type { MinuteBucket } from '../../../shared/rollup/bucket.js';
import type { MinuteCounts, SeriesKey } from '../../../shared/rollup/window.js';
import type { RuleState } from '../../../shared/rules/state-machine.js';

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
  /** One transaction: raw events, the touched rollup buckets (full rows), the event-time high-water mark. */
  ingestBatch(events: readonly PricedEvent[], buckets: readonly MinuteBucket[], receivedAt: number, maxEventTs: number): void;
  loadBucket(key: SeriesKey, minute: number): MinuteBucket | undefined;
  minuteCounts(key: SeriesKey, fromMinute: number, toMinute: number): MinuteCounts[];
  maxEventTs(): number | undefined;

  /** Runs `fn` in one FULL-sync transaction. */
  durable<T>(fn: () => T): T;
  ruleStates(ruleId: string): { series: string; state: RuleState }[];
  putRuleState(ruleId: string, series: string, state: RuleState): void;
  getAlert(id: string): Alert | undefined;
  putAlert(alert: Alert): void;
  appendLog(entry: NewLogEntry): LogEntry;
  commandResult(id: string): CommandResult | undefined;
  recordCommand(id: string, at: number, result: CommandResult): void;

  listAlerts(status?: AlertStatus): Alert[];
  logAfter(seq: number, limit: number): LogEntry[];
  lastSeq(): number;
  /** Oldest seq still in the log (log retention may prune), or lastSeq + 1 when empty. */
  firstRetainedSeq(): number;
  stats(): { events: number; alerts: number; lastSeq: number };
  close(): void;
}

import Database from 'better-sqlite3';
import { toIso } from '../../../shared/clock.js';
import type { HealthLogEntry } from '../../../shared/health/pages.js';
import type { PulseAnswer } from '../../../shared/health/pulse.js';
import type { ProviderOutage, TrafficBucket } from '../../../shared/health/slo.js';
import { Alert, AlertEventKind, Tier } from '../../../shared/protocol/alert.js';
import { PROVIDER_DOWN_RULE_ID } from '../../../shared/rules/provider-down.js';

/** One pulse answer as stored. */
export interface StoredPulse {
  user: string;
  shiftEndMs: number;
  score: number;
  comment: string | undefined;
  commandId: string;
  answeredAtMs: number;
}

/** What the health figures read (migration 0011's tables, the rollups, provider-down alerts) and the pulse writes. */
export interface HealthStore {
  /** Every health-log entry of every incident that has one in [fromMs, toMs), in seq order. */
  entries(fromMs: number, toMs: number): HealthLogEntry[];
  pulses(fromMs: number, toMs: number): PulseAnswer[];
  /** Stores (or replaces) one person's answer for one shift; false when this command id stored it already. */
  putPulse(p: StoredPulse): boolean;
  /** Minute and hourly rollups per service and provider starting in [fromMs, toMs). */
  buckets(fromMs: number, toMs: number): TrafficBucket[];
  /** Provider-down alerts overlapping [fromMs, toMs); an open one lasts until `nowMs`. */
  outages(fromMs: number, toMs: number, nowMs: number): ProviderOutage[];
  /**
   * What the figures' inputs changed by: the newest health-log seq and the pulses' count and
   * newest answer (a cached answer is reused while these and the rotation stay the same).
   */
  stamp(): string;
  /** Deletes health-log entries and pulses older than `beforeMs`; returns how many. */
  prune(beforeMs: number): number;
  close(): void;
}

interface EntryRow {
  seq: number;
  at: number;
  incident_id: string;
  kind: string;
  actor: string | null;
  note: string | null;
  tier: string;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Slack on the outages query's resolvedAt bound (ISO strings with and without milliseconds). */
const RESOLVED_SLACK_MS = 1_000;

/**
 * Its own connection to collector.db (opened after the store migrated it), like the override
 * store: health queries are rare and read-mostly, and this keeps the alert store's interface
 * untouched. FULL sync: a `result ok` for a pulse means it is on disk.
 */
export function openHealthStore(file: string): HealthStore {
  const db = new Database(file, { fileMustExist: true });
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const hasHourly =
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rollups_hourly'").get() !== undefined;
  const s = {
    entries: db.prepare(
      `SELECT seq, at, incident_id, kind, actor, note, tier FROM health_incident_log
       WHERE incident_id IN (SELECT DISTINCT incident_id FROM health_incident_log WHERE at >= ? AND at < ?)
       ORDER BY seq`,
    ),
    pulses: db.prepare(
      'SELECT user, shift_end, score, comment FROM fatigue_pulses WHERE shift_end >= ? AND shift_end < ?',
    ),
    pulseCommand: db.prepare('SELECT command_id FROM fatigue_pulses WHERE user = ? AND shift_end = ?').pluck(),
    putPulse: db.prepare(
      `INSERT INTO fatigue_pulses (user, shift_end, score, comment, command_id, answered_at)
       VALUES (@user, @shiftEndMs, @score, @comment, @commandId, @answeredAtMs)
       ON CONFLICT (user, shift_end) DO UPDATE SET score = excluded.score, comment = excluded.comment,
         command_id = excluded.command_id, answered_at = excluded.answered_at`,
    ),
    minutes: db.prepare(
      `SELECT minute AS start, service, provider, SUM(count) AS count, SUM(errors) AS errors FROM rollups
       WHERE minute >= ? AND minute < ? GROUP BY minute, service, provider`,
    ),
    hours: hasHourly
      ? db.prepare(
          `SELECT hour AS start, service, provider, SUM(count) AS count, SUM(errors) AS errors FROM rollups_hourly
           WHERE hour >= ? AND hour < ? GROUP BY hour, service, provider`,
        )
      : undefined,
    // Bounded by the range (index alerts_rule_fired, migration 0013): an outage resolved before
    // `from` is never read. The resolvedAt bound has a second of slack for ISO strings without
    // milliseconds (the exact overlap is checked after parsing).
    providerDown: db
      .prepare(
        `SELECT json FROM alerts WHERE json_extract(json, '$.ruleId') = @rule AND fired_at < @to
           AND (status != 'resolved' OR json_extract(json, '$.resolvedAt') IS NULL
                OR json_extract(json, '$.resolvedAt') >= @from)`,
      )
      .pluck(),
    logSeq: db.prepare('SELECT COALESCE(MAX(seq), 0) FROM health_incident_log').pluck(),
    pulseStamp: db.prepare('SELECT COUNT(*) AS n, COALESCE(MAX(answered_at), 0) AS at FROM fatigue_pulses'),
    pruneLog: db.prepare('DELETE FROM health_incident_log WHERE at < ?'),
    prunePulses: db.prepare('DELETE FROM fatigue_pulses WHERE shift_end < ?'),
  };
  const putPulse = db.transaction((p: StoredPulse): boolean => {
    if (s.pulseCommand.get(p.user, p.shiftEndMs) === p.commandId) return false;
    s.putPulse.run({ ...p, comment: p.comment ?? null });
    return true;
  });
  return {
    entries(fromMs, toMs) {
      const out: HealthLogEntry[] = [];
      for (const r of s.entries.all(fromMs, toMs) as EntryRow[]) {
        const kind = AlertEventKind.safeParse(r.kind);
        const tier = Tier.safeParse(r.tier);
        if (!kind.success || !tier.success) continue;
        out.push({
          seq: r.seq,
          atMs: r.at,
          incidentId: r.incident_id,
          kind: kind.data,
          tier: tier.data,
          ...(r.actor !== null ? { actor: r.actor } : {}),
          ...(r.note !== null ? { note: r.note } : {}),
        });
      }
      return out;
    },
    pulses: (fromMs, toMs) =>
      (s.pulses.all(fromMs, toMs) as { user: string; shift_end: number; score: number; comment: string | null }[]).map(
        (r) => ({
          user: r.user,
          shiftEndMs: r.shift_end,
          score: r.score,
          ...(r.comment !== null ? { comment: r.comment } : {}),
        }),
      ),
    putPulse: (p) => putPulse(p),
    buckets(fromMs, toMs) {
      type Row = { start: number; service: string; provider: string; count: number; errors: number };
      const rows = (stmt: Database.Statement | undefined, durationMs: number): TrafficBucket[] =>
        stmt === undefined
          ? []
          : (stmt.all(fromMs, toMs) as Row[]).map((r) => ({
              startMs: r.start,
              durationMs,
              service: r.service,
              provider: r.provider,
              count: r.count,
              errors: r.errors,
            }));
      // Disjoint, so summing both counts each request once: downsampling moves a minute into its
      // hour and deletes the minute row in one transaction (rollup-history-store downsampleTx).
      return [...rows(s.hours, HOUR_MS), ...rows(s.minutes, MINUTE_MS)];
    },
    outages(fromMs, toMs, nowMs) {
      const out: ProviderOutage[] = [];
      const params = { rule: PROVIDER_DOWN_RULE_ID, to: toMs, from: toIso(fromMs - RESOLVED_SLACK_MS) };
      for (const json of s.providerDown.all(params) as string[]) {
        const a = Alert.safeParse(JSON.parse(json));
        const provider = a.success ? a.data.labels.provider : undefined;
        if (!a.success || provider === undefined) continue;
        const startMs = Date.parse(a.data.firedAt);
        const endMs = a.data.resolvedAt !== undefined ? Date.parse(a.data.resolvedAt) : nowMs;
        if (endMs > fromMs && startMs < toMs) out.push({ provider, startMs, endMs });
      }
      return out;
    },
    stamp() {
      const p = s.pulseStamp.get() as { n: number; at: number };
      return `${s.logSeq.get() as number}/${p.n}/${p.at}`;
    },
    prune: (beforeMs) => s.pruneLog.run(beforeMs).changes + s.prunePulses.run(beforeMs).changes,
    close() {
      if (db.open) db.close();
    },
  };
}

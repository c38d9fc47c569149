import { randomUUID } from 'node:crypto';
import { toIso, type Clock } from '../../../shared/clock.js';
import type { Alert, AlertSource, Tier } from '../../../shared/protocol/alert.js';
import type { CommandFrame } from '../../../shared/protocol/stream.js';
import type { CollectorStore, CommandResult, LogEntry } from '../store/store.js';
import { applyCommand, withoutUndefined } from './apply-command.js';

export interface NewAlert {
  ruleId: string;
  tier: Tier;
  source: AlertSource;
  summary: string;
  labels: Alert['labels'];
  runbookId?: string;
  firedAt: number;
}

/**
 * Owns alert state. Every change appends to the log inside a durable transaction; listeners
 * hear about entries only after the commit, so nothing is fanned out that could be rolled back.
 */
export class AlertService {
  private pending: LogEntry[] | undefined;
  private readonly listeners = new Set<(entries: readonly LogEntry[]) => void>();

  constructor(
    private readonly store: CollectorStore,
    private readonly clock: Clock,
    private readonly systemActor: string,
  ) {}

  onCommitted(listener: (entries: readonly LogEntry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `fn` in one durable transaction and publishes the log entries it appended. */
  transact<T>(fn: () => T): T {
    if (this.pending) return fn(); // nested: the outer transaction publishes
    this.pending = [];
    let entries: LogEntry[] = [];
    try {
      const result = this.store.durable(fn);
      entries = this.pending;
      return result;
    } finally {
      this.pending = undefined;
      if (entries.length) for (const l of this.listeners) l(entries);
    }
  }

  /** Must run inside `transact`. */
  fire(input: NewAlert): Alert {
    const alert: Alert = withoutUndefined({
      id: randomUUID(),
      ruleId: input.ruleId,
      tier: input.tier,
      status: 'firing',
      source: input.source,
      summary: input.summary,
      labels: input.labels,
      runbookId: input.runbookId,
      firedAt: toIso(input.firedAt),
    });
    this.record(alert, 'fired', input.firedAt, this.systemActor);
    return alert;
  }

  /** The rule's condition cleared: resolve unless a human already did. Must run inside `transact`. */
  resolveByRule(alertId: string, at: number, note: string): void {
    const alert = this.store.getAlert(alertId);
    if (!alert || alert.status === 'resolved') return;
    this.record(withoutUndefined({ ...alert, status: 'resolved', resolvedAt: toIso(at), snoozedUntil: undefined }), 'resolved', at, this.systemActor, note);
  }

  /** Applies a client command once per id; a repeated id answers the first result. */
  command(cmd: CommandFrame, actor: string): CommandResult {
    return this.transact(() => {
      const seen = this.store.commandResult(cmd.id);
      if (seen) return seen;
      const now = this.clock.now();
      const alert = this.store.getAlert(cmd.alertId);
      let result: CommandResult;
      if (!alert) {
        result = { ok: false, error: `alert ${cmd.alertId} not found` };
      } else {
        const out = applyCommand(alert, cmd, actor, now);
        if (out.ok) {
          this.record(out.alert, out.kind, now, actor, cmd.note);
          result = { ok: true };
        } else {
          result = 'conflict' in out ? { ok: false, conflict: out.conflict } : { ok: false, error: out.error };
        }
      }
      this.store.recordCommand(cmd.id, now, result);
      return result;
    });
  }

  private record(alert: Alert, kind: LogEntry['kind'], at: number, actor: string, note?: string): void {
    if (!this.pending) throw new Error('alert changes must run inside AlertService.transact');
    this.store.putAlert(alert);
    this.pending.push(
      this.store.appendLog({ at, alertId: alert.id, kind, actor, ...(note !== undefined ? { note } : {}), alert }),
    );
  }
}

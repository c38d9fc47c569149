import { randomUUID } from 'node:crypto';
import { toIso, type Clock } from '../../../shared/clock.js';
import type { Alert, AlertEventKind, AlertSource, Tier } from '../../../shared/protocol/alert.js';
import type { CommandFrame } from '../../../shared/protocol/stream.js';
import type { CollectorStore, CommandResult, LogEntry } from '../store/store.js';
import { applyCommand, DEFAULT_COMMAND_LIMITS, withoutUndefined, type CommandLimits } from './apply-command.js';

export interface NewAlert {
  ruleId: string;
  tier: Tier;
  source: AlertSource;
  summary: string;
  labels: Alert['labels'];
  runbookId?: string;
  firedAt: number;
  /** 'pending': raised but not paging yet (a remediation action gets time first; see `promote`). */
  status?: 'pending' | 'firing';
}

export type LifecycleOutcome = { alert: Alert } | { conflict: string };

/**
 * Policy that rides along with alert changes inside their transaction (the escalation policy):
 * it may amend the alert (its `escalation`) or refuse a command as a conflict.
 */
export interface AlertLifecycle {
  onFired(alert: Alert): Alert;
  onChanged(before: Alert, after: Alert, kind: AlertEventKind, now: number): LifecycleOutcome;
  /** Whether `ruleId`'s alerts resolve when the condition clears (else a person resolves them). */
  autoResolve(ruleId: string): boolean;
}

/**
 * Owns alert state. Every change appends to the log inside a durable transaction; listeners
 * hear about entries only after the commit, so nothing is fanned out that could be rolled back.
 */
export class AlertService {
  private pending: LogEntry[] | undefined;
  private readonly listeners = new Set<(entries: readonly LogEntry[]) => void>();
  private lifecycle: AlertLifecycle | undefined;

  constructor(
    private readonly store: CollectorStore,
    private readonly clock: Clock,
    private readonly systemActor: string,
    /** Bounds on commands (escalation.maxSnooze). */
    private readonly limits: CommandLimits = DEFAULT_COMMAND_LIMITS,
  ) {}

  setLifecycle(lifecycle: AlertLifecycle): void {
    this.lifecycle = lifecycle;
  }

  getAlert(id: string): Alert | undefined {
    return this.store.getAlert(id);
  }

  /** An automatic step of the lifecycle (notified, escalated), by the system actor. Must run inside `transact`. */
  recordStep(alert: Alert, kind: AlertEventKind, at: number, note: string): void {
    this.record(alert, kind, at, this.systemActor, note);
  }

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
      ...(input.status === 'pending' ? { status: 'pending' as const } : {}),
    });
    // A pending alert does not page (no escalation) until `promote`.
    const paged = this.lifecycle && alert.status === 'firing' ? this.lifecycle.onFired(alert) : alert;
    this.record(paged, 'fired', input.firedAt, this.systemActor);
    return paged;
  }

  /** A pending alert starts paging (auto-remediation did not clear it in time). Must run inside `transact`. */
  promote(alertId: string, at: number, note: string): void {
    const alert = this.store.getAlert(alertId);
    if (!alert || alert.status !== 'pending') return;
    const firing: Alert = { ...alert, status: 'firing' };
    this.record(this.lifecycle ? this.lifecycle.onFired(firing) : firing, 'updated', at, this.systemActor, note);
  }

  /** A timeline note that does not change the alert (remediation actions). Opens its own transaction. */
  annotate(alertId: string, kind: AlertEventKind, at: number, note: string): void {
    this.transact(() => {
      const alert = this.store.getAlert(alertId);
      if (alert) this.record(alert, kind, at, this.systemActor, note);
    });
  }

  /** The rule's condition cleared: resolve unless a human already did. Must run inside `transact`. */
  resolveByRule(alertId: string, at: number, note: string): void {
    const alert = this.store.getAlert(alertId);
    if (!alert || alert.status === 'resolved') return;
    if (this.lifecycle && !this.lifecycle.autoResolve(alert.ruleId)) {
      this.record(alert, 'updated', at, this.systemActor, `${note}; waiting for a person to resolve`);
      return;
    }
    const resolved = withoutUndefined({
      ...alert,
      status: 'resolved' as const,
      resolvedAt: toIso(at),
      snoozedUntil: undefined,
    });
    const out = this.lifecycle ? this.lifecycle.onChanged(alert, resolved, 'resolved', at) : { alert: resolved };
    if ('conflict' in out) return;
    this.record(out.alert, 'resolved', at, this.systemActor, note);
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
        const out = applyCommand(alert, cmd, actor, now, this.limits);
        const amended =
          out.ok && this.lifecycle ? this.lifecycle.onChanged(alert, out.alert, out.kind, now) : undefined;
        if (amended && 'conflict' in amended) {
          result = { ok: false, conflict: amended.conflict };
        } else if (out.ok) {
          this.record(amended?.alert ?? out.alert, out.kind, now, actor, cmd.note);
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

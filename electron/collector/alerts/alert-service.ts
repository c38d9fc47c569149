import { randomUUID } from 'node:crypto';
import { toIso, type Clock } from '../../../shared/clock.js';
import type { Alert, AlertEventKind, AlertSource, Tier } from '../../../shared/protocol/alert.js';
import type { CommandFrame } from '../../../shared/protocol/stream.js';
import type { CollectorStore, CommandResult, LogEntry, StreamEntry } from '../store/store.js';
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
  /** Alertmanager: the webhook's group (one Alertmanager group = one incident). Not stored on the alert. */
  groupKey?: string;
}

/** An alert change recorded in the current transaction, written to the log when it settles. */
export interface AlertChange {
  alert: Alert;
  kind: AlertEventKind;
  at: number;
  actor: string;
  note?: string;
  groupKey?: string;
}

/**
 * The single lifecycle hook (issue 12: the notify pipeline). At the end of every transaction
 * that changed alerts (and on the scheduler's ticks) it runs inside the transaction: it feeds
 * the changes to the incident core, amends each alert with its incident / inhibition / silence,
 * and writes incident state and entries, so one durable commit holds all of it.
 */
export interface AlertPipeline {
  /** The alert as it should be stored: with its current incidentId / inhibitedBy / silencedBy. */
  amend(alert: Alert): Alert;
  /** Runs once per outermost transaction, last, inside it; writes each change with `write`. */
  settle(changes: readonly AlertChange[], now: number): void;
  /** The transaction rolled back: forget what settle did. */
  rollback(): void;
  /** The transaction committed. */
  committed(): void;
  /** Whether `ruleId`'s alerts resolve when the condition clears (else a person resolves them). */
  autoResolve(ruleId: string): boolean;
}

/**
 * Owns alert state. Every change appends to the log inside a durable transaction; listeners
 * hear about entries only after the commit, so nothing is fanned out that could be rolled back.
 * With a pipeline, log entries of a transaction are written when it settles (after the incident
 * core has placed each alert), so every stored and streamed alert carries its incident.
 */
export class AlertService {
  private pending: StreamEntry[] | undefined;
  private changes: AlertChange[] = [];
  /** Set while the pipeline settles: it may run its own transactional work (ticks) without recursion. */
  private settling = false;
  private readonly listeners = new Set<(entries: readonly StreamEntry[]) => void>();
  private pipeline: AlertPipeline | undefined;
  private router: ((cmd: CommandFrame, actor: string) => CommandResult) | undefined;

  constructor(
    private readonly store: CollectorStore,
    private readonly clock: Clock,
    private readonly systemActor: string,
    /** Bounds on commands (escalation.maxSnooze). */
    private readonly limits: CommandLimits = DEFAULT_COMMAND_LIMITS,
  ) {}

  get actor(): string {
    return this.systemActor;
  }

  get commandLimits(): CommandLimits {
    return this.limits;
  }

  setPipeline(pipeline: AlertPipeline): void {
    this.pipeline = pipeline;
  }

  /**
   * Where `command` sends commands (the collector: IncidentCommands, so a command on an alert
   * acts on its incident wherever it comes from: the stream, an Events-v2 acknowledge).
   */
  setCommandRouter(router: (cmd: CommandFrame, actor: string) => CommandResult): void {
    this.router = router;
  }

  getAlert(id: string): Alert | undefined {
    return this.store.getAlert(id);
  }

  onCommitted(listener: (entries: readonly StreamEntry[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `fn` in one durable transaction and publishes the log entries it appended. */
  transact<T>(fn: () => T): T {
    if (this.pending) return fn(); // nested: the outer transaction publishes
    this.pending = [];
    this.changes = [];
    let entries: StreamEntry[] = [];
    let ok = false;
    try {
      const result = this.store.durable(() => {
        const r = fn();
        this.settle();
        return r;
      });
      entries = this.pending;
      ok = true;
      return result;
    } finally {
      this.pending = undefined;
      this.changes = [];
      if (ok) this.pipeline?.committed();
      else this.pipeline?.rollback();
      if (entries.length) for (const l of this.listeners) l(entries);
    }
  }

  /** Appends an already-written entry (an incident's) to what this transaction publishes. */
  publish(entry: StreamEntry): void {
    if (!this.pending) throw new Error('log entries must be appended inside AlertService.transact');
    this.pending.push(entry);
  }

  private settle(): void {
    const changes = this.changes;
    this.changes = [];
    if (this.pipeline) {
      this.settling = true;
      try {
        this.pipeline.settle(changes, this.clock.now());
      } finally {
        this.settling = false;
      }
    } else {
      for (const c of changes) this.write(c, true);
    }
  }

  /**
   * Writes one change to the log (the pipeline calls it for each change, after amending the
   * alert, and for the alerts it changed itself). Must run inside `transact`.
   */
  write(c: AlertChange, alreadyStored = false): LogEntry {
    if (!this.pending) throw new Error('alert changes must run inside AlertService.transact');
    if (!alreadyStored) this.store.putAlert(c.alert);
    const e = this.store.appendLog({
      at: c.at,
      alertId: c.alert.id,
      kind: c.kind,
      actor: c.actor,
      ...(c.note !== undefined ? { note: c.note } : {}),
      alert: c.alert,
    });
    this.pending.push(e);
    return e;
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
    this.record(alert, 'fired', input.firedAt, this.systemActor, undefined, input.groupKey);
    return alert;
  }

  /** A pending alert starts paging (auto-remediation did not clear it in time). Must run inside `transact`. */
  promote(alertId: string, at: number, note: string): void {
    const alert = this.store.getAlert(alertId);
    if (!alert || alert.status !== 'pending') return;
    this.record({ ...alert, status: 'firing' }, 'updated', at, this.systemActor, note);
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
    if (this.pipeline && !this.pipeline.autoResolve(alert.ruleId)) {
      this.record(alert, 'updated', at, this.systemActor, `${note}; waiting for a person to resolve`);
      return;
    }
    const resolved = withoutUndefined({
      ...alert,
      status: 'resolved' as const,
      resolvedAt: toIso(at),
      snoozedUntil: undefined,
    });
    this.record(resolved, 'resolved', at, this.systemActor, note);
  }

  /**
   * Applies a client command once per id; a repeated id answers the first result. Through the
   * router when one is set; without one (tools, tests) on the one alert only.
   */
  command(cmd: CommandFrame, actor: string): CommandResult {
    if (this.router) return this.router(cmd, actor);
    return this.transact(() => {
      const seen = this.store.commandResult(cmd.id);
      if (seen) return seen;
      const now = this.clock.now();
      const result = this.applyToAlert(cmd, actor, now);
      this.store.recordCommand(cmd.id, now, result);
      return result;
    });
  }

  /** A command on one alert only (no incident). Must run inside `transact`. */
  applyToAlert(
    cmd: Pick<CommandFrame, 'kind' | 'alertId' | 'note' | 'until'>,
    actor: string,
    now: number,
  ): CommandResult {
    const alert = cmd.alertId === undefined ? undefined : this.store.getAlert(cmd.alertId);
    if (!alert) return { ok: false, error: `alert ${cmd.alertId ?? '(none)'} not found` };
    const out = applyCommand(alert, cmd, actor, now, this.limits);
    if (!out.ok) return 'conflict' in out ? { ok: false, conflict: out.conflict } : { ok: false, error: out.error };
    this.record(out.alert, out.kind, now, actor, cmd.note);
    return { ok: true };
  }

  /**
   * Records an alert change: stored now (reads in the same transaction see it), logged when the
   * transaction settles. Must run inside `transact`.
   */
  record(alert: Alert, kind: AlertEventKind, at: number, actor: string, note?: string, groupKey?: string): void {
    if (!this.pending) throw new Error('alert changes must run inside AlertService.transact');
    if (this.settling) throw new Error('alert changes while the pipeline settles go through write()');
    const amended = this.pipeline ? this.pipeline.amend(alert) : alert;
    this.store.putAlert(amended);
    this.changes.push({
      alert: amended,
      kind,
      at,
      actor,
      ...(note !== undefined ? { note } : {}),
      ...(groupKey !== undefined ? { groupKey } : {}),
    });
  }
}

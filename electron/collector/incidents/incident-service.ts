import { toIso, type Clock } from '../../../shared/clock.js';
import { applyAction, isOpen, members, type IncidentAction } from '../../../shared/incidents/incident-state.js';
import { flush, notifyPipeline, runPipeline, type Stage } from '../../../shared/incidents/pipeline.js';
import { getOwn } from '../../../shared/incidents/records.js';
import {
  emptyIncidentState,
  type AlertInput,
  type IncidentCoreState,
  type IncidentRecord,
  type IncidentsConfig,
} from '../../../shared/incidents/schema.js';
import { addSilence, expireSilence } from '../../../shared/incidents/silence.js';
import { toWireIncident } from '../../../shared/incidents/wire.js';
import type { Alert, AlertEventKind } from '../../../shared/protocol/alert.js';
import { IncidentStatus, type Incident, type Silence } from '../../../shared/protocol/incident.js';
import type { AlertChange, AlertPipeline, AlertService } from '../alerts/alert-service.js';
import type { CollectorStore } from '../store/store.js';
import {
  amendAlert,
  amendNote,
  changedAlertIds,
  changedIncidentIds,
  coreChanged,
  droppedIncidentIds,
  persistCore,
  restoreCore,
  coreNextDue,
  feedsCore,
  sameSilences,
  toAlertInput,
} from './core-diff.js';
import type { EscalateStage, StageEntry } from './escalate-stage.js';

/** An incident timeline entry asked for by a command (acknowledged, commented, …). */
interface QueuedEntry {
  incidentId: string;
  kind: AlertEventKind;
  actor: string;
  note?: string;
}

export interface IncidentServiceDeps {
  store: CollectorStore;
  alerts: AlertService;
  config: IncidentsConfig;
  escalation: EscalateStage;
  clock: Clock;
  log: (msg: string) => void;
  autoResolve: (ruleId: string) => boolean;
}

/**
 * The notify pipeline in the collector (issue 12): the pure core (shared/incidents) fed inside
 * every alert transaction, then flushed, then the escalate stage; the core's state, the wire
 * incidents, the pages and the log entries all commit in that one durable transaction.
 *
 * The core's state is immutable: `core` is the committed one; a transaction works on
 * `working` and either commits it or drops it (rollback), so memory never runs ahead of disk.
 */
export class IncidentService implements AlertPipeline {
  private core: IncidentCoreState = emptyIncidentState();
  private working: IncidentCoreState | undefined;
  private queued: QueuedEntry[] = [];
  /**
   * A rebuild (start-up without a valid core): the open alerts as stored, re-fed in the next
   * settle, which also restores their acks and snoozes and closes the incidents left behind.
   */
  private rebuild: Alert[] | undefined;
  /** Commands changed the working state (actions, silences): settle must run the pipeline. */
  private touched = false;
  private silencesChanged = false;
  private readonly stages: Stage[];
  private readonly silenceListeners = new Set<(silences: readonly Silence[]) => void>();

  constructor(private readonly deps: IncidentServiceDeps) {
    this.stages = notifyPipeline(deps.config);
  }

  /** Restores the persisted core (or rebuilds it from the open alerts), before anything else runs. */
  start(): void {
    const { store, log } = this.deps;
    let rebuild = true;
    try {
      const stored = store.incidents.loadCore();
      if (stored !== undefined) {
        this.core = restoreCore(stored);
        rebuild = false;
      }
    } catch (err) {
      log(
        `incidents: stored incident state is invalid (${String(err).slice(0, 300)}); starting empty and re-feeding open alerts`,
      );
    }
    if (!rebuild) return;
    store.incidents.clearCore();
    // Incident ids continue after the stored ones: a rebuilt core must not reuse an id.
    this.core = { ...emptyIncidentState(), seq: store.incidents.maxNumber() + 1 };
    const open = store.listAlerts().filter((a) => feedsCore(this.core, a));
    this.rebuild = open.reverse(); // oldest first, as they fired
    this.deps.alerts.transact(() => {});
    if (open.length > 0) log(`incidents: ${open.length} open alerts placed in incidents`);
  }

  /** The committed state (reads: REST, snapshots). */
  state(): IncidentCoreState {
    return this.core;
  }

  /** The state inside the current transaction (commands read and change it). */
  current(): IncidentCoreState {
    return this.working ?? this.core;
  }

  silences(): readonly Silence[] {
    return this.core.silences;
  }

  onSilencesChanged(listener: (silences: readonly Silence[]) => void): () => void {
    this.silenceListeners.add(listener);
    return () => this.silenceListeners.delete(listener);
  }

  incident(id: string): IncidentRecord | undefined {
    return getOwn(this.current().incidents, id);
  }

  /** The earliest time a tick has work: a pending ring, a snooze end, a silence edge, a page deadline. */
  nextDue(): number | undefined {
    const a = coreNextDue(this.core, this.deps.clock.now());
    const b = this.deps.escalation.nextDue();
    if (a === undefined) return b;
    return b === undefined ? a : Math.min(a, b);
  }

  /** The scheduler's tick: `{kind:'tick'}`, flush, due page steps, in one transaction. */
  runDue(): number {
    this.deps.alerts.transact(() => {
      this.touched = true;
    });
    return 1;
  }

  amend(alert: Alert): Alert {
    return amendAlert(alert, getOwn(this.current().alerts, alert.id));
  }

  autoResolve(ruleId: string): boolean {
    return this.deps.autoResolve(ruleId);
  }

  /* ---------- what commands do (inside a transaction) ---------- */

  /** Applies an action to the incident; returns its open members (the same command applies to them). */
  act(incidentId: string, action: IncidentAction, now: number): string[] {
    const r = applyAction(this.current(), incidentId, action, now);
    this.working = r.state;
    this.touched = true;
    return r.alertIds;
  }

  queue(entry: QueuedEntry): void {
    this.queued.push(entry);
    this.touched = true;
  }

  /** Adds a silence; returns why not (messages naming the field) or []. */
  addSilence(s: Silence, now: number): string[] {
    const cur = this.current();
    const r = addSilence(cur.silences, s, now, this.deps.config.silences.maxDuration);
    if (!r.ok) return r.errors;
    this.working = { ...cur, silences: r.silences };
    this.touched = true;
    return [];
  }

  expireSilence(id: string, now: number): string[] {
    const cur = this.current();
    const r = expireSilence(cur.silences, id, now);
    if (!r.ok) return r.errors;
    this.working = { ...cur, silences: r.silences };
    this.touched = true;
    return [];
  }

  /* ---------- AlertPipeline ---------- */

  settle(changes: readonly AlertChange[], now: number): void {
    const { alerts, store, escalation } = this.deps;
    const before = this.core;
    let s = this.current();
    const feed = new Map<string, AlertInput>();
    const rebuilt = this.rebuild;
    this.rebuild = undefined;
    for (const a of rebuilt ?? []) feed.set(a.id, toAlertInput(a));
    for (const c of changes) if (feedsCore(s, c.alert)) feed.set(c.alert.id, toAlertInput(c.alert, c.groupKey));
    const due = (this.nextDueIn(s, now) ?? Infinity) <= now;
    if (feed.size === 0 && !this.touched && !due && rebuilt === undefined) {
      for (const c of changes) alerts.write(c, true);
      return;
    }
    this.touched = false;
    s = runPipeline(
      this.stages,
      s,
      feed.size > 0 ? { kind: 'alerts', alerts: [...feed.values()] } : { kind: 'tick' },
      now,
    );
    if (rebuilt !== undefined) s = keepQuiet(s, rebuilt, alerts.actor, now);
    const f = flush(s, now);
    s = f.state;
    for (const id of changedIncidentIds(before, s)) {
      const after = getOwn(s.incidents, id);
      if (after) s = escalation.followStatus(s, getOwn(before.incidents, id), after, now);
    }
    const rung = escalation.rings(s, f.notifications, now);
    s = rung.state;
    const stepped = escalation.runDue(s, now);
    s = stepped.state;

    this.wakeMembers(before, s, now);
    this.writeAlerts(changes, before, s);
    this.writeIncidents(before, s, [...rung.entries, ...stepped.entries], now);
    if (rebuilt !== undefined) this.closeLeftBehind(s, now);
    if (coreChanged(before, s)) persistCore(store.incidents, before, s);
    if (!sameSilences(before.silences, s.silences)) this.silencesChanged = true;
    this.working = s;
  }

  committed(): void {
    if (this.working !== undefined) this.core = this.working;
    this.working = undefined;
    this.queued = [];
    this.touched = false;
    if (this.silencesChanged) {
      this.silencesChanged = false;
      const list = this.core.silences;
      for (const l of this.silenceListeners) l(list);
    }
  }

  rollback(): void {
    this.working = undefined;
    this.queued = [];
    this.touched = false;
    this.silencesChanged = false;
  }

  private nextDueIn(s: IncidentCoreState, now: number): number | undefined {
    const a = coreNextDue(s, now);
    const b = this.deps.escalation.nextDue();
    if (a === undefined) return b;
    return b === undefined ? a : Math.min(a, b);
  }

  /**
   * An incident that rings again on its own (a snooze ran out, a higher tier joined an
   * acknowledged one) is firing: its members acknowledged or snoozed with it are firing again too.
   */
  private wakeMembers(before: IncidentCoreState, s: IncidentCoreState, now: number): void {
    const { alerts, store } = this.deps;
    for (const id of changedIncidentIds(before, s)) {
      const i = getOwn(s.incidents, id);
      const prev = getOwn(before.incidents, id);
      if (i?.status !== 'firing' || (prev?.status !== 'snoozed' && prev?.status !== 'acknowledged')) continue;
      const why = prev.status === 'snoozed' ? 'snooze ended' : 'paging again: a higher tier joined its incident';
      for (const alertId of i.alertIds) {
        const a = store.getAlert(alertId);
        if (a === undefined || (a.status !== 'snoozed' && a.status !== 'acknowledged')) continue;
        const { snoozedUntil: _s, acknowledgedBy: _b, acknowledgedAt: _a, ...rest } = a;
        alerts.write({
          alert: { ...rest, status: 'firing' },
          kind: 'updated',
          at: now,
          actor: alerts.actor,
          note: why,
        });
      }
    }
  }

  /**
   * After a rebuild, every open incident of the table that the new core does not hold (the
   * rebuilt core filed its alerts under new ids) is closed, with an entry every desktop hears;
   * else it stays firing, with a page, and an ack on it is a conflict.
   */
  private closeLeftBehind(s: IncidentCoreState, now: number): void {
    const { store, escalation } = this.deps;
    const open = store.incidents.countOpen();
    if (open === 0) return;
    for (const status of IncidentStatus.options) {
      if (status === 'resolved') continue;
      for (const stored of store.incidents.list(status, open)) {
        if (Object.hasOwn(s.incidents, stored.id)) continue;
        // The table's opened_at is not read back; the incident's firedAt is the nearest (it orders the history).
        this.closeStored(stored, Date.parse(stored.firedAt), 'incident state rebuilt', now);
        escalation.close(stored.id);
      }
    }
  }

  /** Closes an incident the core no longer holds in the table, with a `resolved` entry. */
  private closeStored(stored: Incident, openedAt: number, note: string, now: number): void {
    const { alerts, store } = this.deps;
    const { escalation: _e, inhibitedAlertIds: _i, silenced: _s, ...rest } = stored;
    const closed: Incident = { ...rest, status: 'resolved', alertIds: [], resolvedAt: toIso(now) };
    store.incidents.put(closed, openedAt, JSON.stringify(closed));
    alerts.publish(
      store.appendIncidentLog({
        at: now,
        incidentId: stored.id,
        kind: 'resolved',
        actor: alerts.actor,
        note,
        incident: closed,
      }),
    );
  }

  /** Each change logged with the alert as the core placed it; other alerts the core moved get `updated`. */
  private writeAlerts(changes: readonly AlertChange[], before: IncidentCoreState, s: IncidentCoreState): void {
    const { alerts, store } = this.deps;
    const written = new Set<string>();
    for (const c of changes) {
      const amended = amendAlert(c.alert, getOwn(s.alerts, c.alert.id));
      alerts.write({ ...c, alert: amended }, amended === c.alert);
      written.add(c.alert.id);
    }
    for (const id of changedAlertIds(before, s)) {
      if (written.has(id)) continue;
      const stored = store.getAlert(id);
      if (!stored) continue;
      const amended = amendAlert(stored, getOwn(s.alerts, id));
      if (amended === stored) continue;
      alerts.write({
        alert: amended,
        kind: 'updated',
        at: this.deps.clock.now(),
        actor: alerts.actor,
        note: amendNote(stored, amended),
      });
    }
  }

  /**
   * Every incident whose wire form changed is stored; each gets its entries (a command's, a
   * ring's) or one derived from what changed (`fired`, `resolved`, `updated`).
   */
  private writeIncidents(before: IncidentCoreState, s: IncidentCoreState, stage: StageEntry[], now: number): void {
    const { alerts, store } = this.deps;
    const entries = new Map<string, QueuedEntry[]>();
    const add = (e: QueuedEntry): void => {
      const list = entries.get(e.incidentId);
      if (list) list.push(e);
      else entries.set(e.incidentId, [e]);
    };
    for (const e of this.queued) add(e);
    this.queued = [];
    for (const e of stage) add({ ...e, actor: alerts.actor });
    for (const id of droppedIncidentIds(before, s)) {
      // Emptied before it rang (inhibition moved its alerts): the core forgets it; the table
      // closes it, so no desktop keeps an open incident nobody will ever resolve.
      const stored = store.incidents.get(id);
      if (stored === undefined || stored.status === 'resolved') continue;
      const openedAt = getOwn(before.incidents, id)?.openedAt ?? now;
      this.closeStored(stored, openedAt, 'its alerts moved to the incident of their cause', now);
    }
    const ids = new Set([...changedIncidentIds(before, s), ...entries.keys()]);
    for (const id of ids) {
      const rec = getOwn(s.incidents, id);
      if (!rec) continue;
      const wire = toWireIncident(s, rec);
      const json = JSON.stringify(wire);
      const storedJson = store.incidents.getJson(id);
      const changed = json !== storedJson;
      if (changed) store.incidents.put(wire, rec.openedAt, json);
      let list = entries.get(id);
      if (!list && changed) {
        const prev = getOwn(before.incidents, id);
        const kind: AlertEventKind =
          storedJson === undefined
            ? 'fired'
            : rec.status === 'resolved' && prev?.status !== 'resolved'
              ? 'resolved'
              : 'updated';
        const note =
          kind === 'resolved'
            ? 'every member resolved'
            : kind === 'updated' && prev?.status === 'resolved'
              ? 'reopened'
              : undefined;
        list = [{ incidentId: id, kind, actor: alerts.actor, ...(note !== undefined ? { note } : {}) }];
      }
      for (const e of list ?? []) {
        alerts.publish(
          store.appendIncidentLog({
            at: now,
            incidentId: id,
            kind: e.kind,
            actor: e.actor,
            ...(e.note !== undefined ? { note: e.note } : {}),
            incident: wire,
          }),
        );
      }
    }
  }
}

/**
 * A rebuild re-feeds every open alert as it is stored, so the core opens each incident firing,
 * to ring after the group wait. An incident whose open members were all acknowledged (or
 * snoozed) before is acknowledged (or snoozed until the earliest snooze end) again instead, so it
 * does not page for what people already hold; acknowledged wins over snoozed. An incident with a
 * member still firing rings as before.
 */
export function keepQuiet(
  state: IncidentCoreState,
  stored: readonly Alert[],
  systemActor: string,
  now: number,
): IncidentCoreState {
  const byId = new Map(stored.map((a) => [a.id, a]));
  let s = state;
  for (const i of Object.values(state.incidents)) {
    if (i.status !== 'firing') continue;
    const open = members(state, i)
      .filter(isOpen)
      .map((r) => byId.get(r.id));
    if (open.length === 0 || open.some((a) => a?.status !== 'acknowledged' && a?.status !== 'snoozed')) continue;
    const quiet = open.filter((a): a is Alert => a !== undefined);
    let action: IncidentAction;
    if (quiet.some((a) => a.status === 'acknowledged')) {
      // By whoever acknowledged first (ISO UTC times compare as strings).
      let first: Alert | undefined;
      for (const a of quiet) {
        if (a.status !== 'acknowledged' || a.acknowledgedBy === undefined) continue;
        if (first === undefined || (a.acknowledgedAt ?? '~') < (first.acknowledgedAt ?? '~')) first = a;
      }
      action = { kind: 'ack', by: first?.acknowledgedBy ?? systemActor };
    } else {
      // A snooze without a valid end (or one that ran out while the collector was down) ends now: it rings next tick.
      let until = Infinity;
      for (const a of quiet) {
        const t = Date.parse(a.snoozedUntil ?? '');
        if (Number.isFinite(t) && t < until) until = t;
      }
      action = { kind: 'snooze', until: Number.isFinite(until) ? until : now };
    }
    s = applyAction(s, i.id, action, now).state;
  }
  return s;
}

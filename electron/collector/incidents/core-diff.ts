import type { Alert } from '../../../shared/protocol/alert.js';
import type { Silence } from '../../../shared/protocol/incident.js';
import { isLoud, members, RESOLVED_KEEP_MS } from '../../../shared/incidents/incident-state.js';
import { IncidentCoreState, type AlertInput, type AlertRecord } from '../../../shared/incidents/schema.js';
import type { IncidentStore, StoredCore } from '../store/incident-store.js';
import { getOwn } from '../../../shared/incidents/records.js';

/**
 * Pure helpers between the alert store and the notify core: what the core is told about an
 * alert, what the store learns back, what changed between two states, and when the core next
 * needs the clock. The core's maps are copy-on-write, so "changed" is object identity.
 */

/** What the core is told about a stored alert (Alertmanager alerts carry their webhook group). */
export function toAlertInput(a: Alert, groupKey?: string): AlertInput {
  return {
    id: a.id,
    ruleId: a.ruleId,
    tier: a.tier,
    status: a.status,
    source: a.source,
    summary: a.summary,
    labels: a.labels,
    ...(groupKey !== undefined ? { groupKey } : {}),
    firedAt: Date.parse(a.firedAt),
  };
}

/**
 * Whether the core should hear about this alert: everything it already holds, and new alerts
 * that may page. A pending alert (a remediation still has time) joins an incident when it is
 * promoted, and a resolved alert the core never held opens nothing.
 */
export function feedsCore(state: IncidentCoreState, a: Alert): boolean {
  if (Object.hasOwn(state.alerts, a.id)) return true;
  return a.status !== 'pending' && a.status !== 'resolved';
}

/** The alert with the core's view of it: its incident and why it is quiet (unset fields removed). */
export function amendAlert(a: Alert, r: AlertRecord | undefined): Alert {
  if (r === undefined) return a;
  if (a.incidentId === r.incidentId && a.inhibitedBy === r.inhibitedBy && a.silencedBy === r.silencedBy) return a;
  const { incidentId: _i, inhibitedBy: _h, silencedBy: _s, ...rest } = a;
  return {
    ...rest,
    incidentId: r.incidentId,
    ...(r.inhibitedBy !== undefined ? { inhibitedBy: r.inhibitedBy } : {}),
    ...(r.silencedBy !== undefined ? { silencedBy: r.silencedBy } : {}),
  };
}

/** Why an alert's incident fields changed, for its timeline. */
export function amendNote(before: Alert, after: Alert): string {
  const parts: string[] = [];
  if (before.incidentId !== after.incidentId && after.incidentId !== undefined) {
    parts.push(
      before.incidentId === undefined ? `in incident ${after.incidentId}` : `moved to incident ${after.incidentId}`,
    );
  }
  if (before.inhibitedBy !== after.inhibitedBy) {
    parts.push(after.inhibitedBy !== undefined ? `inhibited by alert ${after.inhibitedBy}` : 'no longer inhibited');
  }
  if (before.silencedBy !== after.silencedBy) {
    parts.push(after.silencedBy !== undefined ? `silenced by ${after.silencedBy}` : 'no longer silenced');
  }
  return parts.join('; ');
}

/** Ids of alert records that are new or replaced in `after` (the core's copy-on-write maps). */
export function changedAlertIds(before: IncidentCoreState, after: IncidentCoreState): string[] {
  if (before.alerts === after.alerts) return [];
  const out: string[] = [];
  for (const [id, r] of Object.entries(after.alerts)) if (getOwn(before.alerts, id) !== r) out.push(id);
  return out;
}

export function changedIncidentIds(before: IncidentCoreState, after: IncidentCoreState): string[] {
  if (before.incidents === after.incidents) return [];
  const out: string[] = [];
  for (const [id, r] of Object.entries(after.incidents)) if (getOwn(before.incidents, id) !== r) out.push(id);
  return out;
}

function droppedIds(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  if (before === after) return [];
  return Object.keys(before).filter((id) => !Object.hasOwn(after, id));
}

/** Ids the core dropped (emptied before ringing, or resolved long ago). */
export function droppedIncidentIds(before: IncidentCoreState, after: IncidentCoreState): string[] {
  return droppedIds(before.incidents, after.incidents);
}

export function sameSilences(a: readonly Silence[], b: readonly Silence[]): boolean {
  return a === b || (a.length === b.length && a.every((s, i) => s === b[i]));
}

/** Whether anything worth persisting changed (a stage run always makes a new top-level object). */
export function coreChanged(before: IncidentCoreState, after: IncidentCoreState): boolean {
  return (
    before.seq !== after.seq ||
    before.incidents !== after.incidents ||
    before.alerts !== after.alerts ||
    before.openByKey !== after.openByKey ||
    !sameSilences(before.silences, after.silences)
  );
}

/**
 * The earliest time the core needs a tick after `now`: a pending ring that can sound (one
 * overdue but muted waits for an input, so the timer never spins on it), a snooze running out,
 * a silence starting or ending, a resolved incident leaving the core.
 */
export function coreNextDue(state: IncidentCoreState, now: number): number | undefined {
  let due = Infinity;
  const take = (t: number): void => {
    if (t < due) due = t;
  };
  for (const i of Object.values(state.incidents)) {
    if (i.status === 'resolved') {
      if (i.resolvedAt !== undefined) take(Math.max(now, i.resolvedAt + RESOLVED_KEEP_MS + 1));
      continue;
    }
    if (i.pendingRing !== undefined) {
      const mayRing = i.status === 'firing' || (i.status === 'acknowledged' && i.pendingRing.reason === 'escalated');
      if (i.pendingRing.dueAt > now) take(i.pendingRing.dueAt);
      else if (mayRing && members(state, i).some(isLoud)) take(now);
    }
    if (i.status === 'snoozed' && i.snoozedUntil !== undefined) take(Math.max(now, i.snoozedUntil));
  }
  for (const s of state.silences) {
    const start = Date.parse(s.startsAt);
    const end = Date.parse(s.endsAt);
    if (start > now) take(start);
    if (end > now) take(end);
  }
  return due === Infinity ? undefined : due;
}

/**
 * Writes what changed from `before` to `after`: each changed or dropped alert and incident
 * record (the maps are copy-on-write, so unchanged records are the same objects) and the meta
 * row when the id counter, group keys or silences moved. A transaction costs what it changed,
 * not the size of the state.
 */
export function persistCore(store: IncidentStore, before: IncidentCoreState, after: IncidentCoreState): void {
  for (const id of changedAlertIds(before, after)) store.putCoreAlert(id, JSON.stringify(after.alerts[id]));
  for (const id of droppedIds(before.alerts, after.alerts)) store.deleteCoreAlert(id);
  for (const id of changedIncidentIds(before, after)) store.putCoreIncident(id, JSON.stringify(after.incidents[id]));
  for (const id of droppedIds(before.incidents, after.incidents)) store.deleteCoreIncident(id);
  if (
    before.seq !== after.seq ||
    before.openByKey !== after.openByKey ||
    !sameSilences(before.silences, after.silences)
  ) {
    store.putCoreMeta(JSON.stringify({ seq: after.seq, openByKey: after.openByKey, silences: after.silences }));
  }
}

/** The stored rows back into a validated state (throws on anything invalid: the caller rebuilds). */
export function restoreCore(stored: StoredCore): IncidentCoreState {
  const meta = stored.meta;
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new Error('core meta is not an object');
  return IncidentCoreState.parse({
    ...meta,
    alerts: Object.fromEntries(stored.alerts),
    incidents: Object.fromEntries(stored.incidents),
  });
}

import type { Tier } from '../protocol/alert.js';
import { withoutClosure } from './dispatch.js';
import type { AlertRecord, IncidentCoreState, IncidentRecord } from './schema.js';
import { Draft, getOwn } from './records.js';

/**
 * The incident lifecycle, pure: tier, title and resolution derived from the members, commands
 * applied to the incident and all its members, and which rings are due.
 */

const TIER_RANK: Record<Tier, number> = { review: 0, ticket: 1, page: 2 };

export function higherTier(a: Tier, b: Tier): Tier {
  return TIER_RANK[a] >= TIER_RANK[b] ? a : b;
}

export function members(state: IncidentCoreState, i: IncidentRecord): AlertRecord[] {
  return i.alertIds.flatMap((id) => {
    const a = getOwn(state.alerts, id);
    return a === undefined ? [] : [a];
  });
}

export const isOpen = (a: AlertRecord): boolean => a.status !== 'resolved';
/** Open and neither inhibited nor silenced: an alert that may make its incident ring. */
export const isLoud = (a: AlertRecord): boolean =>
  isOpen(a) && a.inhibitedBy === undefined && a.silencedBy === undefined;

/** The member that names the incident: the loudest (tier, then earliest fired), preferring unmuted open ones. */
export function leader(ms: readonly AlertRecord[]): AlertRecord | undefined {
  const pool = [ms.filter(isLoud), ms.filter(isOpen), ms].find((p) => p.length > 0) ?? [];
  return [...pool].sort(
    (a, b) => TIER_RANK[b.tier] - TIER_RANK[a.tier] || a.firedAt - b.firedAt || (a.id < b.id ? -1 : 1),
  )[0];
}

/**
 * Re-derives one incident from its members at `now`:
 * - resolved once every member is resolved (an emptied incident was closed by inhibit);
 * - tier = highest tier of its unmuted open members (of all members if none), never below the
 *   tier it last rang at; rising above that tier rings again ("promoted") and, since a ticket's
 *   acknowledgement does not cover a page, reopens it;
 * - a snooze that has run out rings again ("unsnoozed").
 */
export function settleIncident(state: IncidentCoreState, i: IncidentRecord, now: number): IncidentRecord {
  if (i.status === 'resolved') return i;
  const ms = members(state, i);
  if (ms.length > 0 && !ms.some(isOpen)) return resolveRecord(i, now);
  const loud = ms.filter(isLoud);
  const pool = loud.length > 0 ? loud : ms.filter(isOpen);
  const derived = pool.map((a) => a.tier).reduce(higherTier, pool[0]?.tier ?? i.tier);
  const tier = i.rungTier === undefined ? derived : higherTier(derived, i.rungTier);
  const title = leader(ms)?.summary ?? i.title;
  // Unchanged stays the same object, so the stage writes (and copies) only what changed.
  let next: IncidentRecord = tier === i.tier && title === i.title ? i : { ...i, tier, title };
  if (i.rungTier !== undefined && TIER_RANK[tier] > TIER_RANK[i.rungTier] && next.pendingRing === undefined) {
    next = { ...withoutClosure(next), status: 'firing', pendingRing: { reason: 'promoted', dueAt: now } };
  }
  if (next.status === 'snoozed' && next.snoozedUntil !== undefined && next.snoozedUntil <= now) {
    const { snoozedUntil: _s, ...rest } = next;
    next = { ...rest, status: 'firing', pendingRing: { reason: 'unsnoozed', dueAt: now } };
  }
  return next;
}

function resolveRecord(i: IncidentRecord, now: number): IncidentRecord {
  const { pendingRing: _p, snoozedUntil: _s, ...rest } = i;
  return { ...rest, status: 'resolved', resolvedAt: now, textDirty: false };
}

/**
 * Resolved incidents (and their alerts) leave the core this long after resolving: the core holds
 * what can still ring, the alert store keeps history. A member firing again within it reopens
 * its incident; after it, it opens a new one. Bounds the state (and the per-input work) to
 * recent incidents.
 */
export const RESOLVED_KEEP_MS = 60 * 60_000;

/**
 * The lifecycle stage: settles every open incident (a resolved one frees its group key) and
 * drops incidents resolved more than RESOLVED_KEEP_MS ago with their alerts. The maps are
 * copied once per run, not once per incident.
 */
export function settleAll(state: IncidentCoreState, now: number): IncidentCoreState {
  const d = new Draft(state);
  for (const i of Object.values(state.incidents)) {
    if (i.status === 'resolved') {
      if (i.resolvedAt !== undefined && now - i.resolvedAt > RESOLVED_KEEP_MS) {
        for (const id of i.alertIds) d.dropAlert(id);
        d.dropIncident(i.id);
        d.freeKey(i.key, i.id);
      }
      continue;
    }
    const settled = settleIncident(state, i, now);
    if (settled !== i) d.putIncident(settled);
    if (settled.status === 'resolved') d.freeKey(i.key, i.id);
  }
  return d.done();
}

/* ---------- commands on an incident ---------- */

export type IncidentAction =
  | { kind: 'ack'; by: string }
  | { kind: 'unack' }
  | { kind: 'snooze'; until: number }
  | { kind: 'escalate' }
  | { kind: 'mitigate' }
  | { kind: 'resolve' };

export interface ActionResult {
  state: IncidentCoreState;
  /** The open members the same command applies to (the collector writes them to the alert store). */
  alertIds: string[];
}

/**
 * Applies a command to an incident and to all its open members. Acknowledging, snoozing or
 * resolving cancels a pending ring; escalating rings now (the escalate stage picks the level);
 * a resolved incident takes no commands.
 */
export function applyAction(
  state: IncidentCoreState,
  incidentId: string,
  action: IncidentAction,
  now: number,
): ActionResult {
  const i = getOwn(state.incidents, incidentId);
  if (i === undefined || i.status === 'resolved') return { state, alertIds: [] };
  const open = members(state, i).filter(isOpen);
  const { pendingRing: _p, ...quiet } = i;
  let incident: IncidentRecord;
  let memberStatus: AlertRecord['status'] | undefined;
  switch (action.kind) {
    case 'ack':
      incident = { ...quiet, status: 'acknowledged', acknowledgedBy: action.by, acknowledgedAt: now };
      memberStatus = 'acknowledged';
      break;
    case 'unack': {
      const { acknowledgedBy: _b, acknowledgedAt: _a, ...rest } = i;
      incident = { ...rest, status: 'firing' };
      memberStatus = 'firing';
      break;
    }
    case 'snooze':
      incident = { ...quiet, status: 'snoozed', snoozedUntil: action.until };
      memberStatus = 'snoozed';
      break;
    case 'escalate':
      incident = { ...i, pendingRing: { reason: 'escalated', dueAt: now } };
      break;
    case 'mitigate':
      incident = { ...i, mitigatedAt: now };
      break;
    case 'resolve':
      incident = resolveRecord(i, now);
      memberStatus = 'resolved';
      break;
  }
  const d = new Draft(state);
  if (memberStatus !== undefined) for (const a of open) d.putAlert({ ...a, status: memberStatus });
  d.putIncident(incident);
  if (incident.status === 'resolved') d.freeKey(i.key, i.id);
  return { state: d.done(), alertIds: open.map((a) => a.id) };
}

/** Set by the escalate stage (the collector's escalation policy): who holds the page, when it moves on. */
export function setEscalation(
  state: IncidentCoreState,
  incidentId: string,
  escalation: NonNullable<IncidentRecord['escalation']>,
): IncidentCoreState {
  const i = getOwn(state.incidents, incidentId);
  if (i === undefined) return state;
  const d = new Draft(state);
  d.putIncident({ ...i, escalation });
  return d.done();
}

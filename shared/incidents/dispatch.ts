import type { AlertInput, AlertRecord, GroupingConfig, IncidentCoreState, IncidentRecord } from './schema.js';
import { Draft } from './records.js';

/**
 * Dispatch (Alertmanager's dispatcher + aggregation groups): which incident an alert belongs to.
 * Every alert is in exactly one incident: a known alert stays where it is (its snapshot is
 * refreshed); a new one joins the open incident with its group key if that incident gained a
 * member within `grouping.window`, or opens a new one whose first ring waits `grouping.wait`.
 */

/** Alertmanager groups keep Alertmanager's grouping: the incident key is its groupKey. */
export const ALERTMANAGER_KEY_PREFIX = 'am:';
/** An alert carrying none of the `by` label sets groups alone. */
export const LONE_KEY_PREFIX = 'alert:';

/**
 * The group key: `am:<groupKey>` for Alertmanager alerts that carry one, else the first `by`
 * label set whose labels the alert all has (non-empty), as `{service="chat"}`; values are
 * JSON-quoted so no value can forge another key.
 */
export function groupKey(alert: Pick<AlertInput, 'id' | 'source' | 'groupKey' | 'labels'>, by: string[][]): string {
  if (alert.source === 'alertmanager' && alert.groupKey !== undefined) return ALERTMANAGER_KEY_PREFIX + alert.groupKey;
  for (const names of by) {
    const values = names.map((n) => (Object.hasOwn(alert.labels, n) ? alert.labels[n] : undefined));
    if (values.every((v) => v !== undefined && v !== '')) {
      return `{${names.map((n, i) => `${n}=${JSON.stringify(values[i])}`).join(',')}}`;
    }
  }
  return LONE_KEY_PREFIX + alert.id;
}

export interface DispatchResult {
  state: IncidentCoreState;
  incidentId: string;
  opened: boolean;
}

export type GroupingOptions = Pick<GroupingConfig, 'by' | 'window' | 'wait'>;

export function dispatch(
  state: IncidentCoreState,
  alert: AlertInput,
  now: number,
  config: GroupingOptions,
): DispatchResult {
  const d = new Draft(state);
  const r = dispatchInto(d, alert, now, config);
  return { state: d.done(), ...r };
}

/** A batch in order (a webhook, a rule evaluation), each alert seeing the ones before it. */
export function dispatchAll(
  state: IncidentCoreState,
  alerts: readonly AlertInput[],
  now: number,
  config: GroupingOptions,
): IncidentCoreState {
  const d = new Draft(state);
  // Incidents this batch built itself may grow in place: appending to a copied member list per
  // alert made a 10,000-alert webhook quadratic (50M copied ids).
  const built = new WeakSet<IncidentRecord>();
  for (const a of alerts) dispatchInto(d, a, now, config, built);
  return d.done();
}

function dispatchInto(
  d: Draft,
  alert: AlertInput,
  now: number,
  config: GroupingOptions,
  built?: WeakSet<IncidentRecord>,
): { incidentId: string; opened: boolean } {
  const known = d.alert(alert.id);
  if (known !== undefined) {
    refresh(d, known, alert, now, config.wait);
    return { incidentId: known.incidentId, opened: false };
  }

  const key = groupKey(alert, config.by);
  const openId = d.keyHolder(key);
  const open = openId === undefined ? undefined : d.incident(openId);
  if (open !== undefined && open.status !== 'resolved' && joinable(open, key, now, config.window)) {
    // Already rung: the text changes, the ring does not repeat.
    const textDirty = open.textDirty || open.rings > 0;
    if (built?.has(open)) {
      // Built by this batch (a fresh object and member list no other state holds).
      open.alertIds.push(alert.id);
      open.lastJoinAt = Math.max(open.lastJoinAt, now);
      open.textDirty = textDirty;
    } else {
      const grown = {
        ...open,
        alertIds: [...open.alertIds, alert.id],
        lastJoinAt: Math.max(open.lastJoinAt, now),
        textDirty,
      };
      d.putIncident(grown);
      built?.add(grown);
    }
    d.putAlert({ ...alert, incidentId: open.id });
    return { incidentId: open.id, opened: false };
  }

  const id = d.nextIncidentId();
  const opened: IncidentRecord = {
    id,
    key,
    openedAt: now,
    lastJoinAt: now,
    status: 'firing',
    tier: alert.tier,
    title: alert.summary,
    alertIds: [alert.id],
    rings: 0,
    pendingRing: { reason: 'opened', dueAt: now + config.wait },
    textDirty: false,
  };
  d.putIncident(opened);
  built?.add(opened);
  d.putAlert({ ...alert, incidentId: id });
  d.putKey(key, id);
  return { incidentId: id, opened: true };
}

/** One Alertmanager group is one incident for as long as it is open; other keys join within the window. */
function joinable(open: IncidentRecord, key: string, now: number, windowMs: number): boolean {
  return key.startsWith(ALERTMANAGER_KEY_PREFIX) || now - open.lastJoinAt <= windowMs;
}

/**
 * A known alert keeps its incident. If that incident had resolved and the alert fires again,
 * the incident reopens (it rings again after the group wait) rather than the alert moving:
 * membership never changes by re-firing.
 */
function refresh(d: Draft, known: AlertRecord, alert: AlertInput, now: number, waitMs: number): void {
  d.putAlert({
    ...alert,
    incidentId: known.incidentId,
    ...(known.inhibitedBy !== undefined ? { inhibitedBy: known.inhibitedBy } : {}),
    ...(known.silencedBy !== undefined ? { silencedBy: known.silencedBy } : {}),
  });
  const incident = d.incident(known.incidentId);
  // Only a resolved member firing again reopens; a refresh of a still-firing one does not.
  const refires = known.status === 'resolved' && alert.status !== 'resolved';
  if (incident === undefined || incident.status !== 'resolved' || !refires) return;
  d.putIncident({
    ...withoutClosure(incident),
    status: 'firing',
    pendingRing: { reason: 'reopened', dueAt: now + waitMs },
  });
  const holder = d.keyHolder(incident.key);
  if (holder === undefined || d.incident(holder)?.status === 'resolved') d.putKey(incident.key, incident.id);
}

/**
 * The incident without its ack / snooze / resolution fields, nor its old escalation: a reopened
 * or promoted incident is paged afresh by its next ring, and until then a desktop must not take
 * the old holder for a current one (it would ring during the group wait).
 */
export function withoutClosure(i: IncidentRecord): IncidentRecord {
  const {
    acknowledgedBy: _a,
    acknowledgedAt: _b,
    snoozedUntil: _c,
    resolvedAt: _d,
    mergedInto: _e,
    escalation: _f,
    ...rest
  } = i;
  return rest;
}

import type { Alert, AlertDetail, Incident, IncidentStatus, TargetedCommandKind, Tier } from '../../../shared/protocol';
import type { InboxView } from './alerts';

/**
 * The incident inbox (issue 12): one row per incident, the unit of paging. Pure functions only;
 * the store (store/inbox.ts) and the components call them.
 */

export const INCIDENT_STATUS_LABEL: Record<IncidentStatus, string> = {
  firing: 'Firing',
  acknowledged: 'Acknowledged',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
};

export function isIncidentOpen(status: IncidentStatus): boolean {
  return status !== 'resolved';
}

/** Needs someone now (firing) before held (acknowledged, snoozed) before done. */
const STATUS_RANK: Record<IncidentStatus, number> = { firing: 0, acknowledged: 1, snoozed: 1, resolved: 2 };
const TIER_RANK: Record<Tier, number> = { page: 0, ticket: 1, review: 2 };

function firedMs(i: Incident): number {
  const t = Date.parse(i.firedAt);
  return Number.isFinite(t) ? t : 0;
}

/**
 * Most urgent first: firing before held before resolved, pages before tickets before reviews,
 * then newest first; ties by id so the order never flickers between refetches.
 */
export function compareUrgency(a: Incident, b: Incident): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    TIER_RANK[a.tier] - TIER_RANK[b.tier] ||
    firedMs(b) - firedMs(a) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/**
 * The same order as `compareUrgency`, with each incident's sort key computed once (parsing
 * 10,000 timestamps once instead of at every comparison: the inbox's first render budget).
 */
export function sortByUrgency(incidents: readonly Incident[]): Incident[] {
  const keyed = incidents.map((i) => ({
    i,
    rank: STATUS_RANK[i.status] * 3 + TIER_RANK[i.tier],
    fired: firedMs(i),
  }));
  keyed.sort((a, b) => a.rank - b.rank || b.fired - a.fired || (a.i.id < b.i.id ? -1 : a.i.id > b.i.id ? 1 : 0));
  return keyed.map((k) => k.i);
}

export function filterIncidents(incidents: readonly Incident[], view: InboxView): Incident[] {
  if (view === 'all') return [...incidents];
  const wantOpen = view === 'open';
  return incidents.filter((i) => isIncidentOpen(i.status) === wantOpen);
}

export function countIncidents(incidents: readonly Incident[]): Record<InboxView, number> {
  let open = 0;
  for (const i of incidents) if (isIncidentOpen(i.status)) open++;
  return { open, resolved: incidents.length - open, all: incidents.length };
}

/** A page counting down to its next escalation: firing, unacknowledged, with a next level. */
export function incidentHeadingForEscalation(i: Incident): boolean {
  return i.tier === 'page' && i.status === 'firing' && i.escalation?.nextTarget !== undefined;
}

/** Every open page heading for escalation, soonest deadline first (the Escalations view). */
export function incidentEscalationQueue(incidents: readonly Incident[]): Incident[] {
  return incidents
    .filter(incidentHeadingForEscalation)
    .sort(
      (a, b) =>
        Date.parse(a.escalation?.dueAt ?? '') - Date.parse(b.escalation?.dueAt ?? '') || a.id.localeCompare(b.id),
    );
}

/** Which commands make sense on an incident now (the collector stays the judge). */
export function availableIncidentCommands(i: Incident): Set<TargetedCommandKind> {
  const kinds = new Set<TargetedCommandKind>(['comment']);
  if (i.status === 'resolved') return kinds;
  if (i.status === 'acknowledged') kinds.add('unack');
  else kinds.add('ack');
  if (!i.mitigatedAt) kinds.add('mitigate');
  kinds.add('resolve');
  kinds.add('snooze');
  kinds.add('escalate');
  return kinds;
}

/** "4 alerts", "1 alert". */
export function alertCountText(n: number): string {
  return `${n} alert${n === 1 ? '' : 's'}`;
}

// ---- rows: incidents with their members expanded in place ----

/** Keys of inbox rows: incidents and, under an expanded one, its member alerts. */
export function incidentKey(incidentId: string): string {
  return `i:${incidentId}`;
}
export function memberKey(incidentId: string, alertId: string): string {
  return `a:${incidentId}:${alertId}`;
}

export type InboxItem =
  | { kind: 'incident'; key: string; incident: Incident; expanded: boolean }
  | { kind: 'member'; key: string; incidentId: string; alert: Alert; mark: MemberMark | null; last: boolean }
  | { kind: 'members-status'; key: string; incidentId: string; text: string };

/**
 * An incident's detail as the store holds it (from `incidents.get`), for expanded rows and the
 * incident pane. While a refresh is loading the previous detail stays shown.
 */
export interface MembersEntry {
  state: 'loading' | 'ready' | 'missing' | 'error';
  detail: { alerts: readonly Alert[] } | null;
  error?: string;
}

/**
 * The inbox as a flat list of rows, so one windowed list draws incidents and expanded members
 * alike. Members are listed open first, then by fire time (oldest, the likely cause, first).
 */
export function inboxItems(
  incidents: readonly Incident[],
  expanded: ReadonlySet<string>,
  members: Readonly<Record<string, MembersEntry | undefined>>,
): InboxItem[] {
  const out: InboxItem[] = [];
  for (const incident of incidents) {
    const isExpanded = expanded.has(incident.id);
    out.push({ kind: 'incident', key: incidentKey(incident.id), incident, expanded: isExpanded });
    if (!isExpanded) continue;
    const entry = members[incident.id];
    const alerts = entry?.detail?.alerts;
    if (!entry || !alerts) {
      const text =
        entry?.state === 'error'
          ? `Could not load the alerts: ${entry.error ?? 'unknown error'}`
          : entry?.state === 'missing'
            ? 'This incident is no longer in the cache.'
            : 'Loading alerts…';
      out.push({ kind: 'members-status', key: `s:${incident.id}`, incidentId: incident.id, text });
      continue;
    }
    const sorted = sortMembers(alerts);
    if (sorted.length === 0) {
      out.push({ kind: 'members-status', key: `s:${incident.id}`, incidentId: incident.id, text: 'No alerts.' });
      continue;
    }
    sorted.forEach((alert, n) =>
      out.push({
        kind: 'member',
        key: memberKey(incident.id, alert.id),
        incidentId: incident.id,
        alert,
        mark: memberMark(alert, alerts),
        last: n === sorted.length - 1,
      }),
    );
  }
  return out;
}

export function sortMembers(alerts: readonly Alert[]): Alert[] {
  const openRank = (a: Alert): number => (a.status === 'resolved' ? 1 : 0);
  return [...alerts].sort(
    (a, b) =>
      openRank(a) - openRank(b) ||
      Date.parse(a.firedAt) - Date.parse(b.firedAt) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The one key moves hold on to: the incident's own key, or a member's. */
export function itemKeys(items: readonly InboxItem[]): string[] {
  return items.map((i) => i.key);
}

// ---- inhibited and silenced members ----

export type MemberMark = { kind: 'inhibited'; by: string; byAlertId: string } | { kind: 'silenced'; silenceId: string };

/** The name people know a rule by: its own `alertname` label (Alertmanager), else the rule id. */
export function alertName(a: Pick<Alert, 'ruleId' | 'labels'>): string {
  return a.labels.alertname ?? a.ruleId;
}

/**
 * Why a member is quiet, if it is: inhibited (named by the inhibiting alert, which is in the same
 * incident: "inhibited by provider-down") or silenced. Resolved members are just resolved.
 */
export function memberMark(a: Alert, siblings: readonly Alert[]): MemberMark | null {
  if (a.status === 'resolved') return null;
  if (a.inhibitedBy !== undefined) {
    const source = siblings.find((s) => s.id === a.inhibitedBy);
    return { kind: 'inhibited', by: source ? alertName(source) : a.inhibitedBy, byAlertId: a.inhibitedBy };
  }
  if (a.silencedBy !== undefined) return { kind: 'silenced', silenceId: a.silencedBy };
  return null;
}

export function memberMarkText(mark: MemberMark): string {
  return mark.kind === 'inhibited' ? `inhibited by ${mark.by}` : 'silenced';
}

/** The alert in an alert detail, as part of its incident (when the incident is in the inbox). */
export function incidentOf(incidents: readonly Incident[], detail: AlertDetail | null): Incident | undefined {
  const id = detail?.alert.incidentId;
  return id === undefined ? undefined : incidents.find((i) => i.id === id);
}

/** The incident whose member an alert is, by the incidents' member lists (for pushes naming alerts). */
export function incidentsHoldingAlerts(incidents: readonly Incident[], alertIds: readonly string[]): Set<string> {
  const wanted = new Set(alertIds);
  const out = new Set<string>();
  for (const i of incidents) if (i.alertIds.some((a) => wanted.has(a))) out.add(i.id);
  return out;
}

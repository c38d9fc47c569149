import type { AlarmPage } from '../../../../shared/protocol/alarm.js';
import type { Incident } from '../../../../shared/protocol/incident.js';

/** What the desktop does about one incident, for this user. */
export type AlarmAction = 'ring' | 'watch' | 'notify-once' | 'none';

/**
 * Pure, per incident (issue 12: one alarm per incident, not per alert): a firing page incident
 * held by this user rings (tier 1); one held by someone else is shown but not rung until it
 * escalates here; a ticket incident gets one quiet notification (tier 2); reviews get nothing
 * (tier 3: the weekly digest). A page incident without `escalation` is inside its group wait
 * (the collector has not rung it yet): nothing rings, so alerts arriving together ring once. A
 * silenced incident never notifies (the collector holds its ring too; this is the desktop's
 * side of the same rule).
 */
export function alarmAction(incident: Incident, user: string): AlarmAction {
  if (incident.status !== 'firing' || incident.silenced === true) return 'none';
  if (incident.tier === 'page') {
    if (incident.escalation === undefined) return 'none';
    return incident.escalation.target === user ? 'ring' : 'watch';
  }
  if (incident.tier === 'ticket') return 'notify-once';
  return 'none';
}

/** "openai down · 4 alerts": the title, and how many open alerts it holds when more than one. */
export function incidentSummary(incident: Incident, openAlerts: number): string {
  return openAlerts > 1 ? `${incident.title} · ${openAlerts} alerts` : incident.title;
}

export function alarmPage(incident: Incident, openAlerts: number): AlarmPage {
  const e = incident.escalation;
  return {
    incidentId: incident.id,
    summary: incidentSummary(incident, openAlerts),
    alertCount: openAlerts,
    level: e?.level ?? 1,
    target: e?.target ?? '',
    ...(e?.nextTarget !== undefined ? { dueAt: e.dueAt, nextTarget: e.nextTarget } : {}),
  };
}

/** "4m 05s", for notification bodies and the tray. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'now';
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

/** The notification text for a ringing incident. */
export function ringText(incident: Incident, openAlerts: number, nowServerMs: number): { title: string; body: string } {
  const e = incident.escalation;
  const next =
    e?.nextTarget !== undefined
      ? `escalates to ${e.nextTarget} in ${formatRemaining(Date.parse(e.dueAt) - nowServerMs)}`
      : 'last escalation level';
  return {
    title: incidentSummary(incident, openAlerts),
    body: [`Page, level ${e?.level ?? 1}`, readableKey(incident.key), next].filter(Boolean).join(' — '),
  };
}

/** A label-set key (`{service="chat"}`) says where; an Alertmanager group key or an alert id does not. */
function readableKey(key: string): string {
  return key.startsWith('{') ? key : '';
}

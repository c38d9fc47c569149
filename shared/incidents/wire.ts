import { toIso } from '../clock.js';
import type { Incident } from '../protocol/incident.js';
import { isOpen, members } from './incident-state.js';
import type { IncidentCoreState, IncidentRecord } from './schema.js';

/** The incident as the wire (`GET /v1/incidents`, stream frames) will carry it. */
export function toWireIncident(state: IncidentCoreState, i: IncidentRecord): Incident {
  const ms = members(state, i);
  const open = ms.filter(isOpen);
  const inhibited = ms.filter((a) => a.inhibitedBy !== undefined).map((a) => a.id);
  return {
    id: i.id,
    key: i.key,
    tier: i.tier,
    status: i.status,
    title: i.title,
    alertIds: [...i.alertIds],
    // When the trouble started: the earliest member, not when the incident was opened.
    firedAt: toIso(ms.reduce((t, a) => Math.min(t, a.firedAt), i.openedAt)),
    ...(i.acknowledgedBy !== undefined ? { acknowledgedBy: i.acknowledgedBy } : {}),
    ...(i.acknowledgedAt !== undefined ? { acknowledgedAt: toIso(i.acknowledgedAt) } : {}),
    ...(i.mitigatedAt !== undefined ? { mitigatedAt: toIso(i.mitigatedAt) } : {}),
    ...(i.snoozedUntil !== undefined ? { snoozedUntil: toIso(i.snoozedUntil) } : {}),
    ...(i.resolvedAt !== undefined ? { resolvedAt: toIso(i.resolvedAt) } : {}),
    ...(i.escalation !== undefined
      ? {
          escalation: {
            level: i.escalation.level,
            target: i.escalation.target,
            dueAt: toIso(i.escalation.dueAt),
            ...(i.escalation.nextTarget !== undefined ? { nextTarget: i.escalation.nextTarget } : {}),
          },
        }
      : {}),
    ...(open.length > 0 && open.every((a) => a.silencedBy !== undefined) ? { silenced: true } : {}),
    ...(inhibited.length > 0 ? { inhibitedAlertIds: inhibited } : {}),
  };
}

/** Newest first, as `GET /v1/incidents` lists them. */
export function wireIncidents(state: IncidentCoreState): Incident[] {
  return Object.values(state.incidents)
    .sort((a, b) => b.openedAt - a.openedAt || (a.id < b.id ? 1 : -1))
    .map((i) => toWireIncident(state, i));
}

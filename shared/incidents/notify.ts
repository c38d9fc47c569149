import type { Tier } from '../protocol/alert.js';
import { isLoud, isOpen, members } from './incident-state.js';
import type { IncidentCoreState, IncidentRecord, RingReason } from './schema.js';
import { Draft } from './records.js';

/**
 * The notify output. A `ring` is a loud notification (sound, escalation clock); each incident
 * has at most one ring per ring number and numbers only increase. An `update` silently replaces
 * the text of the ring already shown (a member joined) and never sounds.
 */
export interface IncidentNotification {
  incidentId: string;
  kind: 'ring' | 'update';
  /** The ring this is (for `update`: the ring whose text it replaces). */
  ring: number;
  reason?: RingReason;
  tier: Tier;
  /** "openai down · 4 alerts". */
  text: string;
  alertIds: string[];
}

/** The notification text: the leader's summary, and how many open alerts the incident holds. */
export function notificationText(state: IncidentCoreState, i: IncidentRecord): string {
  const open = members(state, i).filter(isOpen).length;
  return open > 1 ? `${i.title} · ${open} alerts` : i.title;
}

/**
 * What is due at `now`, without changing anything (call it again and it says the same).
 * An incident rings when its pending ring is due, it is firing (an escalation also rings an
 * acknowledged one) and at least one member is open and neither inhibited nor silenced: an
 * incident whose members are all muted does not notify; its ring waits until one is unmuted.
 */
export function notifications(state: IncidentCoreState, now: number): IncidentNotification[] {
  const out: IncidentNotification[] = [];
  for (const i of Object.values(state.incidents)) {
    if (i.status === 'resolved') continue;
    const ms = members(state, i);
    if (!ms.some(isLoud)) continue;
    const base = { incidentId: i.id, tier: i.tier, text: notificationText(state, i), alertIds: [...i.alertIds] };
    const ring = i.pendingRing;
    const mayRing = i.status === 'firing' || (i.status === 'acknowledged' && ring?.reason === 'escalated');
    if (ring !== undefined && ring.dueAt <= now && mayRing) {
      out.push({ ...base, kind: 'ring', ring: i.rings + 1, reason: ring.reason });
    } else if (i.textDirty && i.rings > 0) {
      out.push({ ...base, kind: 'update', ring: i.rings });
    }
  }
  return out;
}

/** Records notifications as sent: a ring is consumed (it never repeats), a text update clears. */
export function markSent(state: IncidentCoreState, sent: readonly IncidentNotification[]): IncidentCoreState {
  const d = new Draft(state);
  for (const n of sent) {
    const i = d.incident(n.incidentId);
    if (i === undefined) continue;
    if (n.kind === 'ring' && n.ring === i.rings + 1) {
      const { pendingRing: _p, ...rest } = i;
      d.putIncident({ ...rest, rings: n.ring, rungTier: i.tier, textDirty: false });
    } else if (n.kind === 'update') {
      d.putIncident({ ...i, textDirty: false });
    }
  }
  return d.done();
}

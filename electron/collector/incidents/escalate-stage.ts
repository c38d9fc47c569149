import { toIso } from '../../../shared/clock.js';
import type { CollectorConfig } from '../../../shared/config/collector-config.js';
import {
  acknowledge,
  escalateNow,
  escalationView,
  nextDeadline,
  openPage,
  resolve,
  snooze,
  step,
  unacknowledge,
  type EscalationContext,
  type PageState,
} from '../../../shared/escalation/policy.js';
import { isLoud, members, setEscalation } from '../../../shared/incidents/incident-state.js';
import type { IncidentNotification } from '../../../shared/incidents/notify.js';
import { getOwn } from '../../../shared/incidents/records.js';
import type { IncidentCoreState, IncidentRecord } from '../../../shared/incidents/schema.js';
import type { Tier } from '../../../shared/protocol/alert.js';
import type { EscalationStore } from '../store/escalation-store.js';

/** Steps taken per tick at most: a bound on catch-up work, the rest follows on the next tick. */
export const MAX_STEPS_PER_TICK = 1_000;
/** A step this late (a restart, a sleeping host) says so on the timeline. */
const LATE_NOTE_MS = 1_000;

/** A timeline entry the stage asks for on an incident (`notified` or `escalated`). */
export interface StageEntry {
  incidentId: string;
  kind: 'notified' | 'escalated';
  note: string;
}

/** Counts a notification by kind (vigil_incident_notifications_total). */
export type CountNotification = (kind: string) => void;

export type EscalationSettings = Pick<CollectorConfig, 'escalation' | 'rotation'>;

/**
 * The escalate / notify stage, after the core's lifecycle: each ring of an incident whose tier
 * has a policy runs shared/escalation/policy.ts (the first ring opens the page at level 1, an
 * `escalate` ring takes the next level), the policy's deadlines re-notify and escalate, and the
 * incident's status (acknowledged, snoozed, resolved) quiets its page. The PageState per
 * incident lives in SQLite (incident_escalations); `Incident.escalation` is its view.
 */
export class EscalateStage {
  constructor(
    private readonly store: EscalationStore,
    private readonly settings: EscalationSettings,
    private readonly count: CountNotification = () => {},
  ) {}

  context(tier: Tier): EscalationContext | undefined {
    const policy = this.settings.escalation.tiers[tier];
    if (!policy) return undefined;
    return { policy, businessHours: this.settings.escalation.businessHours, rotation: this.settings.rotation };
  }

  /** Whether an `escalate` command can take this incident further (a conflict message if not). */
  refuseEscalate(i: IncidentRecord): string | undefined {
    const ctx = this.context(i.tier);
    if (!ctx) return `${i.tier} incidents have no escalation policy`;
    const row = this.store.get(i.id);
    if (row && row.state.phase !== 'resolved' && row.state.level >= ctx.policy.levels.length) {
      return `already at the last escalation level (${row.state.level})`;
    }
    return undefined;
  }

  /** Rings from `flush`: page, re-page or escalate. */
  rings(
    state: IncidentCoreState,
    sent: readonly IncidentNotification[],
    now: number,
  ): { state: IncidentCoreState; entries: StageEntry[] } {
    const entries: StageEntry[] = [];
    for (const n of sent) {
      if (n.kind !== 'ring') {
        // A silent text update ("· 4 alerts"): the incident's `updated` entry carries it.
        this.count('update');
        continue;
      }
      const ctx = this.context(n.tier);
      if (!ctx) continue; // tickets and reviews ring nobody unless their tier has a policy
      const row = this.store.get(n.incidentId);
      const live = row !== undefined && row.state.phase !== 'resolved' ? row.state : undefined;
      let page: PageState;
      let kind: StageEntry['kind'] = 'notified';
      if (n.reason === 'escalated' && live !== undefined) {
        page = escalateNow(ctx, live, now) ?? unacknowledge(ctx, live, now);
        kind = 'escalated';
      } else if (n.reason === 'unsnoozed' && live !== undefined) {
        page = unacknowledge(ctx, live, now);
      } else {
        page = openPage(ctx, n.tier, now);
      }
      const s = step(ctx, page, now);
      if (s !== undefined) page = s.state;
      const why = n.reason === 'escalated' ? `escalated to level ${page.level}` : ringWhy(n.reason);
      this.count(n.reason ?? 'opened');
      entries.push({ incidentId: n.incidentId, kind, note: `${why}: ${page.target} (level ${page.level})` });
      state = this.put(state, n.incidentId, ctx, page);
    }
    return { state, entries };
  }

  /** The incident's status moved (a command, the last member resolving): its page follows. */
  followStatus(
    state: IncidentCoreState,
    before: IncidentRecord | undefined,
    after: IncidentRecord,
    now: number,
  ): IncidentCoreState {
    if (before?.status === after.status) return state;
    const row = this.store.get(after.id);
    const ctx = this.context(row?.state.tier ?? after.tier);
    if (!row || !ctx) return state;
    switch (after.status) {
      case 'acknowledged':
        return this.put(state, after.id, ctx, acknowledge(row.state));
      // The core ends the snooze (and rings again): the page keeps no deadline of its own meanwhile.
      case 'snoozed':
        return this.put(state, after.id, ctx, { ...snooze(row.state, now), snoozeUntil: null });
      case 'resolved':
        return this.put(state, after.id, ctx, resolve(row.state));
      case 'firing':
        // Unacknowledged (a ring restarts the level clock itself).
        if (before?.status === 'acknowledged' && after.pendingRing === undefined) {
          return this.put(state, after.id, ctx, unacknowledge(ctx, row.state, now));
        }
        return state;
    }
  }

  nextDue(): number | undefined {
    return this.store.nextDue();
  }

  /** The incident is gone for good (a rebuild closed it): its page never rings again. */
  close(incidentId: string): void {
    const row = this.store.get(incidentId);
    if (row !== undefined && row.state.phase !== 'resolved') {
      this.store.put({ incidentId, state: resolve(row.state), dueAt: null });
    }
  }

  /** The policy's own deadlines (re-notify, ack SLA, rotation handoff) due at `now`, earliest first. */
  runDue(state: IncidentCoreState, now: number): { state: IncidentCoreState; entries: StageEntry[] } {
    const entries: StageEntry[] = [];
    for (let taken = 0; taken < MAX_STEPS_PER_TICK; taken++) {
      const row = this.store.firstDue(now);
      if (!row) break;
      const i = getOwn(state.incidents, row.incidentId);
      const ctx = this.context(row.state.tier);
      if (!i || !ctx || i.status === 'resolved') {
        // The incident went away or resolved outside the policy: nothing may ring for it again.
        this.store.put({ incidentId: row.incidentId, state: resolve(row.state), dueAt: null });
        continue;
      }
      if (!members(state, i).some(isLoud)) {
        // Every open member is inhibited or silenced: it never notifies; look again a period on.
        const later = now + ctx.policy.renotifyEvery;
        const postpone = (t: number | null): number | null => (t !== null && t <= now ? later : t);
        const quiet: PageState = {
          ...row.state,
          notifyAt: postpone(row.state.notifyAt),
          escalateAt: postpone(row.state.escalateAt),
          retargetAt: postpone(row.state.retargetAt),
          snoozeUntil: postpone(row.state.snoozeUntil),
        };
        this.store.put({ incidentId: i.id, state: quiet, dueAt: nextDeadline(quiet) });
        continue;
      }
      const s = step(ctx, row.state, now);
      if (!s) {
        this.store.put({ ...row, dueAt: nextDeadline(row.state) });
        continue;
      }
      const before = escalationView(ctx, row.state);
      state = this.put(state, i.id, ctx, s.state);
      if (s.kind === 'retargeted' && JSON.stringify(escalationView(ctx, s.state)) === JSON.stringify(before)) continue;
      const late = now - s.dueAt >= LATE_NOTE_MS ? ` (due ${toIso(s.dueAt)})` : '';
      this.count(s.kind === 'notified' ? 'renotify' : s.kind);
      entries.push({
        incidentId: i.id,
        kind: s.kind === 'escalated' ? 'escalated' : 'notified',
        note: `${s.note}${late}`,
      });
    }
    return { state, entries };
  }

  private put(state: IncidentCoreState, id: string, ctx: EscalationContext, page: PageState): IncidentCoreState {
    this.store.put({ incidentId: id, state: page, dueAt: nextDeadline(page) });
    const v = escalationView(ctx, page);
    return setEscalation(state, id, {
      level: v.level,
      target: v.target,
      dueAt: Date.parse(v.dueAt),
      ...(v.nextTarget !== undefined ? { nextTarget: v.nextTarget } : {}),
    });
  }
}

function ringWhy(reason: IncidentNotification['reason']): string {
  switch (reason) {
    case 'promoted':
      return 'paged (now a higher tier)';
    case 'reopened':
      return 'paged (reopened)';
    case 'unsnoozed':
      return 'snooze ended';
    default:
      return 'paged';
  }
}

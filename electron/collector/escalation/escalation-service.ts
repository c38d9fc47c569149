import { toIso, type Clock } from '../../../shared/clock.js';
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
import type { Alert, AlertEventKind, Tier } from '../../../shared/protocol/alert.js';
import { withoutUndefined } from '../alerts/apply-command.js';
import type { AlertLifecycle, AlertService, LifecycleOutcome } from '../alerts/alert-service.js';
import type { EscalationStore } from '../store/escalation-store.js';

/** Steps taken per tick at most: a bound on catch-up work, the rest follows on the next tick. */
const MAX_STEPS_PER_TICK = 1_000;
/** A step this late (a restart, a sleeping host) says so on the timeline. */
const LATE_NOTE_MS = 1_000;

/**
 * Applies the escalation policy to pages: keeps each page's PageState (and its due time) in
 * SQLite next to the alert, mirrors it into `alert.escalation`, and turns due deadlines into
 * timeline events (`notified`, `escalated`). Runs inside AlertService transactions.
 */
export class EscalationService implements AlertLifecycle {
  constructor(
    private readonly store: EscalationStore,
    private readonly alerts: AlertService,
    private readonly config: Pick<CollectorConfig, 'escalation' | 'rotation'>,
    private readonly clock: Clock,
  ) {}

  context(tier: Tier): EscalationContext | undefined {
    const policy = this.config.escalation.tiers[tier];
    if (!policy) return undefined;
    return { policy, businessHours: this.config.escalation.businessHours, rotation: this.config.rotation };
  }

  autoResolve(ruleId: string): boolean {
    const a = this.config.escalation.autoResolve;
    return a.rules[ruleId] ?? a.default;
  }

  onFired(alert: Alert): Alert {
    const ctx = this.context(alert.tier);
    if (!ctx) return alert;
    // The clock starts when the collector raises the page, not at the (event-time) firedAt:
    // backfilled history must not arrive already escalated.
    const state = openPage(ctx, alert.tier, this.clock.now());
    this.put(alert.id, state);
    return { ...alert, escalation: escalationView(ctx, state) };
  }

  onChanged(before: Alert, after: Alert, kind: AlertEventKind, now: number): LifecycleOutcome {
    const ctx = this.context(before.tier);
    const row = this.store.get(before.id);
    if (!ctx || !row) {
      if (kind === 'escalated') return { conflict: `${before.tier} alerts have no escalation policy` };
      return { alert: after };
    }
    let state: PageState | undefined = row.state;
    let alert = after;
    switch (kind) {
      case 'acknowledged':
        state = acknowledge(state);
        break;
      case 'unacknowledged':
        state = unacknowledge(ctx, state, now);
        break;
      case 'snoozed':
        state = snooze(state, after.snoozedUntil ? Date.parse(after.snoozedUntil) : now);
        break;
      case 'resolved':
        state = resolve(state);
        break;
      case 'escalated': {
        state = escalateNow(ctx, state, now);
        if (!state) return { conflict: `already at the last escalation level (${row.state.level})` };
        // Pulling in the next person makes the page ring for them, whoever held it before.
        const { acknowledgedBy: _by, acknowledgedAt: _at, ...rest } = after;
        alert = withoutUndefined({ ...rest, status: 'firing', snoozedUntil: undefined });
        break;
      }
      default:
        return { alert: after };
    }
    this.put(before.id, state);
    return { alert: { ...alert, escalation: escalationView(ctx, state) } };
  }

  /** The earliest pending deadline, for the scheduler's single timer. */
  nextDue(): number | undefined {
    return this.store.nextDue();
  }

  /** Takes every step due at or before now, earliest first, in one transaction. Returns how many. */
  runDue(): number {
    const now = this.clock.now();
    return this.alerts.transact(() => {
      let taken = 0;
      while (taken < MAX_STEPS_PER_TICK) {
        const row = this.store.firstDue(now);
        if (!row) break;
        taken += 1;
        this.take(row.alertId, row.state, now);
      }
      return taken;
    });
  }

  private take(alertId: string, state: PageState, now: number): void {
    const alert = this.alerts.getAlert(alertId);
    const ctx = alert && this.context(alert.tier);
    if (!alert || !ctx || alert.status === 'resolved') {
      // The alert went away or was resolved outside the policy: nothing may ring for it again.
      this.put(alertId, resolve(state));
      return;
    }
    const s = step(ctx, state, now);
    if (!s) {
      this.put(alertId, state);
      return;
    }
    this.put(alertId, s.state);
    let next: Alert = { ...alert, escalation: escalationView(ctx, s.state) };
    if (s.kind === 'snooze-ended') next = withoutUndefined({ ...next, status: 'firing', snoozedUntil: undefined });
    const changed = JSON.stringify(next) !== JSON.stringify(alert);
    if (s.kind === 'retargeted' && !changed) return;
    const late = now - s.dueAt >= LATE_NOTE_MS ? ` (due ${toIso(s.dueAt)})` : '';
    this.alerts.recordStep(next, s.kind === 'escalated' ? 'escalated' : 'notified', now, `${s.note}${late}`);
  }

  private put(alertId: string, state: PageState): void {
    this.store.put({ alertId, state, dueAt: nextDeadline(state) });
  }
}

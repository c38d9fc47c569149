import type { Alert, AlertLabels, Tier } from '../../../shared/protocol/alert.js';
import type { RuleState, Transition } from '../../../shared/rules/state-machine.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { Metrics } from '../metrics.js';
import type { Remediation } from './catalog.js';

/** What the runtime needs to hear about an alert a rule raised (remediation runs after commit). */
export type FiredListener = (alert: Alert, remediation: Remediation) => void;

export interface RuleInstance {
  ruleId: string;
  tier: Tier;
  labels: AlertLabels;
  remediation: Remediation;
}

/**
 * Turns state-machine transitions into alert changes: fire (as `pending` while a remediation
 * action gets `pageIfPersists` to work), promote to paging, resolve. Runs inside the runtime's
 * durable transaction; listeners hear about fired alerts after it commits.
 */
export class RuleAlerts {
  private readonly fired: { alert: Alert; remediation: Remediation }[] = [];
  private readonly listeners = new Set<FiredListener>();

  constructor(
    private readonly alerts: AlertService,
    private readonly metrics: Metrics,
  ) {}

  onFired(l: FiredListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * Applies transition `tr` (from `prev`) of one rule instance evaluated at event time `at`.
   * Returns the state to keep (with the alert id / page deadline).
   */
  apply(inst: RuleInstance, prev: RuleState, tr: Transition, summary: string | undefined, at: number): RuleState {
    if (tr.kind === 'fired') {
      const pageIfPersists = inst.remediation.pageIfPersistsMs;
      const alert = this.alerts.fire({
        ruleId: inst.ruleId,
        tier: inst.tier,
        source: 'rules',
        summary: summary ?? inst.ruleId,
        labels: inst.labels,
        runbookId: inst.ruleId,
        firedAt: at,
        ...(pageIfPersists !== undefined ? { status: 'pending' as const } : {}),
      });
      this.metrics.alertsFired += 1;
      this.fired.push({ alert, remediation: inst.remediation });
      return {
        ...tr.state,
        alertId: alert.id,
        ...(summary !== undefined ? { summary } : {}),
        ...(pageIfPersists !== undefined ? { pageAt: at + pageIfPersists } : {}),
      };
    }
    if (tr.kind === 'resolved' && prev.alertId !== undefined) {
      this.alerts.resolveByRule(prev.alertId, at, `${inst.ruleId}: condition cleared`);
    }
    return tr.state;
  }

  /** `pageIfPersists` elapsed with the rule still firing: the pending alert pages now. */
  promote(state: RuleState, at: number): RuleState {
    if (state.alertId === undefined) return state;
    this.alerts.promote(state.alertId, at, 'remediation did not clear the condition: paging');
    const { pageAt: _p, ...rest } = state;
    return rest;
  }

  /** Call after the transaction committed. */
  flush(): void {
    const list = this.fired.splice(0);
    for (const f of list) for (const l of this.listeners) l(f.alert, f.remediation);
  }

  /** The transaction rolled back: forget what it fired. */
  discard(): void {
    this.fired.length = 0;
  }
}

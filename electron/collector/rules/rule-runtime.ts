import { DAY_MS, MINUTE_MS, minuteFloor } from '../../../shared/clock.js';
import type { CollectorConfig } from '../../../shared/config/collector-config.js';
import type { MinuteCounts } from '../../../shared/rollup/window.js';
import { parseSeriesKey } from '../../../shared/rollup/window.js';
import { ERROR_RATE_RULE_ID, errorRateSummary, evaluate, type ErrorRateRule } from '../../../shared/rules/error-rate.js';
import { INACTIVE, type RuleState } from '../../../shared/rules/state-machine.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { Metrics } from '../metrics.js';
import type { CollectorStore } from '../store/store.js';

/** An inactive series that reappears after a long gap only re-evaluates this far back. */
const MAX_CATCH_UP_MS = 7 * DAY_MS;

/**
 * Runs the rules over event-time minutes. The watermark is the newest event time seen minus
 * `allowedLateness`; minute m is evaluated (once, in order, per series) when m + 1 min ≤ watermark.
 * So backfilled history evaluates minute by minute on ingest, exactly like live traffic.
 */
export class RuleRuntime {
  private readonly rule: ErrorRateRule & { enabled: boolean; tier: CollectorConfig['rules']['errorRate']['tier'] };

  constructor(
    private readonly store: CollectorStore,
    private readonly alerts: AlertService,
    private readonly metrics: Metrics,
    private readonly config: CollectorConfig['rules'],
  ) {
    const c = config.errorRate;
    this.rule = {
      enabled: c.enabled,
      tier: c.tier,
      threshold: c.threshold,
      windowMs: c.window,
      minSamples: c.minSamples,
      forMs: c.for,
      keepFiringForMs: c.keepFiringFor,
    };
  }

  /** Last event-time minute that may be evaluated, or undefined before any event. */
  lastCompleteMinute(): number | undefined {
    const max = this.store.maxEventTs();
    if (max === undefined) return undefined;
    return minuteFloor(max - this.config.allowedLateness - MINUTE_MS);
  }

  /** `touched`: series key → earliest minute that received data in this batch. */
  run(touched: ReadonlyMap<string, number>): void {
    if (!this.rule.enabled) return;
    const to = this.lastCompleteMinute();
    if (to === undefined) return;
    const states = new Map(this.store.ruleStates(ERROR_RATE_RULE_ID).map((r) => [r.series, r.state]));
    for (const series of touched.keys()) if (!states.has(series)) states.set(series, INACTIVE);

    this.alerts.transact(() => {
      for (const [series, prev] of states) {
        let from = prev.lastEvaluatedAt !== undefined ? prev.lastEvaluatedAt + MINUTE_MS : touched.get(series);
        if (from === undefined || from > to) continue;
        if (prev.phase === 'inactive') from = Math.max(from, to - MAX_CATCH_UP_MS);
        const next = this.evaluateRange(series, prev, from, to);
        this.store.putRuleState(ERROR_RATE_RULE_ID, series, next);
      }
    });
  }

  private evaluateRange(series: string, start: RuleState, from: number, to: number): RuleState {
    const key = parseSeriesKey(series);
    const rows = this.store.minuteCounts(key, from - this.rule.windowMs, to);
    const byMinute = new Map(rows.map((r) => [r.minute, r]));
    let state = start;
    for (let m = from; m <= to; m += MINUTE_MS) {
      const window: MinuteCounts[] = [];
      for (let w = m - this.rule.windowMs + MINUTE_MS; w <= m; w += MINUTE_MS) {
        const r = byMinute.get(w);
        if (r) window.push(r);
      }
      const before = state;
      const ev = evaluate(this.rule, before, window, m);
      state = ev.state;
      const at = m + MINUTE_MS; // the end of the minute that completed the condition
      if (ev.kind === 'fired') {
        const alert = this.alerts.fire({
          ruleId: ERROR_RATE_RULE_ID,
          tier: this.rule.tier,
          source: 'rules',
          summary: errorRateSummary(this.rule, key, ev.totals),
          labels: { service: key.service, provider: key.provider, model: key.model },
          runbookId: ERROR_RATE_RULE_ID,
          firedAt: at,
        });
        state = { ...state, alertId: alert.id };
        this.metrics.alertsFired += 1;
      } else if (ev.kind === 'resolved' && before.alertId !== undefined) {
        this.alerts.resolveByRule(before.alertId, at, 'error rate back under threshold');
      }
    }
    return state;
  }
}

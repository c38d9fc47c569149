import { MINUTE_MS } from '../clock.js';
import { sumWindow, type MinuteCounts, type SeriesKey, type WindowTotals } from '../rollup/window.js';
import type { ScopeHistory } from '../rollup/history.js';
import type { Scope } from './scope.js';
import { step, type RuleState, type Transition } from './state-machine.js';

export const ERROR_RATE_RULE_ID = 'error-rate';

/**
 * Defaults from the field note "Tier 1 — page: error rate above 5% for 10 min", plus
 * "never page on single request failures": a 5-minute window needs enough samples before it
 * can be true at all, and a short keep_firing_for stops a flapping series from re-paging.
 */
export const ERROR_RATE_DEFAULTS = {
  /** "error rate above 5%" */
  threshold: 0.05,
  /** Rate measured over a sliding 5-minute window of event-time minutes. */
  windowMs: 5 * MINUTE_MS,
  /** "never page on single request failures": below 50 requests in the window, no verdict. */
  minSamples: 50,
  /** "for 10 min" */
  forMs: 10 * MINUTE_MS,
  /** Prometheus keep_firing_for: one flap under the threshold does not resolve and re-page. */
  keepFiringForMs: 5 * MINUTE_MS,
} as const;

export interface ErrorRateRule {
  threshold: number;
  windowMs: number;
  minSamples: number;
  forMs: number;
  keepFiringForMs: number;
}

export interface ErrorRateEvaluation extends Transition {
  totals: WindowTotals;
  conditionTrue: boolean;
}

export function errorRateCondition(rule: ErrorRateRule, totals: WindowTotals): boolean {
  return totals.samples >= rule.minSamples && totals.errors / totals.samples > rule.threshold;
}

/**
 * Evaluates the rule for the event-time minute starting at `now`, given that series' minute
 * counts (at least the window ending at `now`) and the rule instance's previous state.
 */
export function evaluate(
  rule: ErrorRateRule,
  prev: RuleState,
  minutes: readonly MinuteCounts[],
  now: number,
): ErrorRateEvaluation {
  const totals = sumWindow(minutes, now, rule.windowMs);
  const conditionTrue = errorRateCondition(rule, totals);
  return { ...step(prev, conditionTrue, now, rule), totals, conditionTrue };
}

/** e.g. "error rate 31.2% (156/500) over 5 min for 10 min on checkout · openai/gpt-4o" */
export function errorRateSummary(rule: ErrorRateRule, key: SeriesKey, totals: WindowTotals): string {
  const pct = totals.samples === 0 ? 0 : (100 * totals.errors) / totals.samples;
  return (
    `error rate ${pct.toFixed(1)}% (${totals.errors}/${totals.samples}) over ${rule.windowMs / MINUTE_MS} min ` +
    `for ${rule.forMs / MINUTE_MS} min on ${key.service} · ${key.provider}/${key.model}`
  );
}

/** The rule over a scope history (the runtime's path); same condition and summary as `evaluate`. */
export function errorRateCheck(rule: ErrorRateRule, h: ScopeHistory, minute: number, scope: Scope): string | undefined {
  const w = h.window(minute, rule.windowMs);
  const totals = { samples: w.count, errors: w.errors };
  if (!errorRateCondition(rule, totals)) return undefined;
  const pct = (100 * totals.errors) / totals.samples;
  return (
    `error rate ${pct.toFixed(1)}% (${totals.errors}/${totals.samples}) over ${rule.windowMs / MINUTE_MS} min ` +
    `for ${rule.forMs / MINUTE_MS} min on ${scope.name}`
  );
}

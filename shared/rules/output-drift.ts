import { DAY_MS, MINUTE_MS } from '../clock.js';
import type { ScopeHistory } from '../rollup/history.js';
import { fmtDuration, fmtPct } from './format.js';
import type { Scope } from './scope.js';
import { gTestPValue, klDivergence, sumValues } from './stats.js';
import type { RuleContext } from './window-rule.js';

export const OUTPUT_DRIFT_RULE_ID = 'output-drift';

/**
 * Field note: "Tier 2 — ticket: output distribution shift (KL divergence above threshold)".
 * Per service: KL(last hour ‖ trailing 7-day reference) of the output-label mix, with additive
 * smoothing (alpha = 1) so a label new to either side is finite. Detection v2 (issue 13): no
 * minimum count in the window; the shift must be large (KL above `threshold`) AND real: a G-test
 * of the window's counts against the reference mix rejects "same mix" at a level divided by the
 * number of services tested (Bonferroni). A few dozen outputs of a quiet service can prove a big
 * shift; a few outputs, whose KL is mostly sampling noise (about (labels - 1) / (2n)), cannot.
 * The level also counts the windows of a month: a sliding hour is tested every minute, so a
 * quiet month offers each service about 720 fresh hours to fluke in. At 1 - `confidence` per
 * test, 31 quiet services raised a false ticket a month (a 76-output hour at KL 0.14); the level
 * is therefore at most `falseAlarmsPerMonth` spread over the month's windows and the services.
 */
export const OUTPUT_DRIFT_DEFAULTS = {
  threshold: 0.1,
  windowMs: 60 * MINUTE_MS,
  referenceMs: 7 * DAY_MS,
  /** The reference is the yardstick: below this many outputs it is not a mix yet. */
  minReferenceSamples: 1000,
  /** One-sided confidence of the G-test, before the correction for the number of services tested. */
  confidence: 0.99,
  /** Expected false tickets a month over all services tested (Bonferroni over windows × services). */
  falseAlarmsPerMonth: 0.1,
  alpha: 1,
  forMs: 10 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

export interface OutputDriftRule {
  threshold: number;
  windowMs: number;
  referenceMs: number;
  minReferenceSamples: number;
  alpha: number;
  confidence: number;
  falseAlarmsPerMonth: number;
}

const MONTH_MS = 30 * DAY_MS;

/** The G-test's level for one window: the stricter of `confidence` and the monthly budget, per service tested. */
export function driftTestLevel(rule: OutputDriftRule, scopesTested: number): number {
  const windowsPerMonth = Math.max(1, MONTH_MS / rule.windowMs);
  return Math.min(1 - rule.confidence, rule.falseAlarmsPerMonth / windowsPerMonth) / Math.max(1, scopesTested);
}

export function outputDriftCheck(
  rule: OutputDriftRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
  ctx: RuleContext = { scopesTested: 1 },
): string | undefined {
  const w = h.window(minute, rule.windowMs);
  const n = sumValues(w.outputLabels);
  if (n === 0) return undefined;
  const start = minute - rule.windowMs + MINUTE_MS;
  const ref = h.sumHours(start - rule.referenceMs, start).outputLabels;
  const nRef = sumValues(ref);
  if (nRef < rule.minReferenceSamples) return undefined;
  const kl = klDivergence(w.outputLabels, ref, rule.alpha);
  if (kl <= rule.threshold) return undefined;
  if (gTestPValue(w.outputLabels, ref, rule.alpha) >= driftTestLevel(rule, ctx.scopesTested)) return undefined;
  // Name the label that moved most, with both shares.
  let top = '';
  let topDelta = -1;
  for (const k of new Set([...Object.keys(w.outputLabels), ...Object.keys(ref)])) {
    const now = (w.outputLabels[k] ?? 0) / n;
    const was = (ref[k] ?? 0) / nRef;
    if (Math.abs(now - was) > topDelta) {
      topDelta = Math.abs(now - was);
      top = `${k} ${fmtPct(now)} (was ${fmtPct(was)})`;
    }
  }
  return (
    `output mix KL ${kl.toFixed(3)} > ${rule.threshold} over ${rule.windowMs / MINUTE_MS} min (${n} outputs) ` +
    `vs ${referenceSpan(rule.referenceMs)} reference on ${scope.name}: ${top}`
  );
}

/** "7-day" for whole days; "6 h" / "90 min" otherwise (a sub-day reference once printed "0-day"). */
function referenceSpan(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS}-day` : fmtDuration(ms);
}

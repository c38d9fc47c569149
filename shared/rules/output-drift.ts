import { DAY_MS, MINUTE_MS } from '../clock.js';
import type { ScopeHistory } from '../rollup/history.js';
import { fmtDuration, fmtPct } from './format.js';
import type { Scope } from './scope.js';
import { klDivergence, sumValues } from './stats.js';

export const OUTPUT_DRIFT_RULE_ID = 'output-drift';

/**
 * Field note: "Tier 2 — ticket: output distribution shift (KL divergence above threshold)".
 * Per service: KL(last hour ‖ trailing 7-day reference) of the output-label mix, with additive
 * smoothing (alpha = 1) so a label new to either side is finite. With a few hundred samples the
 * sampling bias of KL is about (labels - 1) / (2n) ≈ 0.01, far under 0.1.
 */
export const OUTPUT_DRIFT_DEFAULTS = {
  threshold: 0.1,
  windowMs: 60 * MINUTE_MS,
  referenceMs: 7 * DAY_MS,
  minSamples: 200,
  minReferenceSamples: 1000,
  alpha: 1,
  forMs: 10 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

export interface OutputDriftRule {
  threshold: number;
  windowMs: number;
  referenceMs: number;
  minSamples: number;
  minReferenceSamples: number;
  alpha: number;
}

export function outputDriftCheck(
  rule: OutputDriftRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const w = h.window(minute, rule.windowMs);
  const n = sumValues(w.outputLabels);
  if (n < rule.minSamples) return undefined;
  const start = minute - rule.windowMs + MINUTE_MS;
  const ref = h.sumHours(start - rule.referenceMs, start).outputLabels;
  const nRef = sumValues(ref);
  if (nRef < rule.minReferenceSamples) return undefined;
  const kl = klDivergence(w.outputLabels, ref, rule.alpha);
  if (kl <= rule.threshold) return undefined;
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

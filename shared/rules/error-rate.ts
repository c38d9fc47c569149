import { MINUTE_MS } from '../clock.js';
import { HISTORY_LIMITS, type MinutePoint, type ScopeHistory } from '../rollup/history.js';
import { fmtPct } from './format.js';
import type { Scope } from './scope.js';
import { minutesOf, trailingSums } from './spans.js';
import { significantlyAbove } from './stats.js';

export const ERROR_RATE_RULE_ID = 'error-rate';

/**
 * Defaults from the field note "Tier 1 — page: error rate above 5% for 10 min", plus
 * "never page on single request failures". Detection v2 (issue 13): instead of a fixed minimum
 * count (50 requests per 5 min left services under 10 req/min blind), the evidence decides: the
 * rule pages when an exact binomial test says the error rate over the last `for` minutes (or a
 * longer span, up to `maxWindow`, when traffic is low) is above the threshold at `confidence`,
 * the rate is above it at both ends of that span (it started `for` ago and is still going on),
 * and at least `minErrors` requests failed.
 */
export const ERROR_RATE_DEFAULTS = {
  /** "error rate above 5%" */
  threshold: 0.05,
  /** The newest 5 minutes of the span (and its oldest 3) must run above the threshold. */
  windowMs: 5 * MINUTE_MS,
  /** "for 10 min": the shortest span the rate must be above the threshold over. */
  forMs: 10 * MINUTE_MS,
  /**
   * How far back the span may widen when traffic is low. 30 minutes: a 5 req/min service with
   * 12% errors is proven above 5% after ~14 minutes (70 requests); longer spans only add stale data.
   */
  maxWindowMs: 30 * MINUTE_MS,
  /**
   * One-sided: the chance that a service truly at 5% looks this bad is under 2.5%. Together with
   * the two-ends condition and `minErrors`, a healthy service (0.5% errors) never gets near it.
   */
  confidence: 0.975,
  /**
   * "never page on single request failures": fewer failures in the span never page. Five, not
   * two or three: at 0.5% background errors, three failures among a dozen requests at night
   * happen a few times a month across 30 small services (a simulated quiet month paged for it);
   * five do not (about 1e-8 per span).
   */
  minErrors: 5,
  /** Prometheus keep_firing_for: one flap under the threshold does not resolve and re-page. */
  keepFiringForMs: 5 * MINUTE_MS,
} as const;

/** The statistical rule over a scope history (the runtime's only path). */
export interface ErrorRateDecisionRule {
  threshold: number;
  windowMs: number;
  forMs: number;
  maxWindowMs: number;
  confidence: number;
  minErrors: number;
}

/** What proved the rule true: the span and its counts. */
export interface ErrorRateEvidence {
  spanMs: number;
  samples: number;
  errors: number;
}

/**
 * The decision over a scope history: the shortest span L (from max(`for`, `window`) up to
 * `maxWindow`) whose error count is significantly above `threshold` (exact binomial, one-sided,
 * at `confidence`), with at least `minErrors` failures, whose newest `window` and oldest half
 * `window` each run above the threshold (so a burst that is over, or one that began a minute ago, is not
 * "above 5% for 10 min" however many requests it failed).
 */
export function errorRateDecision(
  rule: ErrorRateDecisionRule,
  h: ScopeHistory,
  minute: number,
): ErrorRateEvidence | undefined {
  const w = minutesOf(rule.windowMs);
  const edge = Math.ceil(w / 2);
  const minSpan = Math.max(minutesOf(rule.forMs), w);
  const maxSpan = Math.min(Math.max(minutesOf(rule.maxWindowMs), minSpan), HISTORY_LIMITS.minutes);
  // Still going on: the newest window is above the threshold. Asked of the window first (its
  // counters are two subtractions): most series, most minutes, stop here.
  const newest = h.window(minute, w * MINUTE_MS);
  if (!aboveRate(newest.count, newest.errors, rule.threshold)) return undefined;
  const sums = trailingSums(h, minute, maxSpan, 2, pickCounts);
  const alpha = 1 - rule.confidence;
  // A span cannot claim time before the series existed: a new series is "above 5% for 10 min"
  // only after 10 minutes.
  const first = h.firstSeen ?? minute;
  const longest = Math.min(maxSpan, Math.floor((minute - first) / MINUTE_MS) + 1);
  for (let span = minSpan; span <= longest; span++) {
    const n = sums.at(span, 0);
    const e = sums.at(span, 1);
    if (e < rule.minErrors) continue;
    // It started at least `span` ago: the oldest half-window of the span runs above the threshold
    // and at no less than half the span's rate (else the span reaches back before the onset).
    const en = sums.between(span - edge, span, 0);
    const ee = sums.between(span - edge, span, 1);
    if (!aboveRate(en, ee, rule.threshold) || ee / en < e / n / 2) continue;
    if (significantlyAbove(e, n, rule.threshold, alpha)) return { spanMs: span * MINUTE_MS, samples: n, errors: e };
  }
  return undefined;
}

function aboveRate(n: number, e: number, threshold: number): boolean {
  return n > 0 && e / n > threshold;
}

/** trailingSums' columns: requests, failures (module level: no closure per series per minute). */
function pickCounts(p: MinutePoint, into: Float64Array, at: number): void {
  into[at] = p.count;
  into[at + 1] = p.errors;
}

/** e.g. "error rate 31.2% (156/500) over 10 min, above 5% at 97.5% confidence, on checkout · openai/gpt-4o" */
export function errorRateCheck(
  rule: ErrorRateDecisionRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const ev = errorRateDecision(rule, h, minute);
  if (!ev) return undefined;
  return (
    `error rate ${fmtPct(ev.errors / ev.samples)} (${ev.errors}/${ev.samples}) over ${ev.spanMs / MINUTE_MS} min, ` +
    `above ${fmtPct(rule.threshold).replace(/\.0%$/, '%')} at ${fmtPct(rule.confidence).replace(/\.0%$/, '%')} confidence, on ${scope.name}`
  );
}

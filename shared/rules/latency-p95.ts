import type { DDSketch } from '@datadog/sketches-js';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { LATENCY_QUANTILE, type ScopeHistory } from '../rollup/history.js';
import { fmtLatency } from './format.js';
import type { Scope } from './scope.js';
import { countAbove } from '../rollup/sketch-codec.js';
import { median, significantlyAbove } from './stats.js';
import type { RuleContext } from './window-rule.js';

export const LATENCY_P95_RULE_ID = 'latency-p95';

/**
 * Field note: "Tier 1 — page: p95 latency above 2x baseline for 15 min (or 3x SLO)" and "never
 * page on latency inside SLO". The baseline is the MEDIAN of the trailing 24 hourly p95s of the
 * same series (hours with enough samples, ending before the window): the median ignores a few
 * slow hours, and 24 h of hours covers the daily rhythm without needing a week of history.
 * Detection v2 (issue 13): no minimum request count in the window. "p95 above L" means "more
 * than 5% of requests slower than L", so the rule asks an exact binomial test whether the share
 * of the requests slower than L is above 5% at `confidence` (divided by the number of series
 * tested and of spans tried: Bonferroni), over the window or, while traffic is low, up to three
 * windows back. One slow request is never evidence (1 of n has p ≥ 5%); a handful of requests,
 * all three times slower, is.
 */
export const LATENCY_P95_DEFAULTS = {
  /** "above 2x baseline" */
  factor: 2,
  /** "or 3x SLO" (only when an SLO is configured for the series) */
  sloFactor: 3,
  /** p95 is measured over a sliding 10-minute window (more samples than 1 min, still fast). */
  windowMs: 10 * MINUTE_MS,
  /** One-sided confidence that more than 5% of the window's requests are slower than the limit. */
  confidence: 0.975,
  baselineMs: 24 * HOUR_MS,
  /** Hours with fewer requests have too noisy a p95 to be part of the baseline. */
  minHourSamples: 20,
  /** A series with fewer baseline hours (new usage pattern) is only judged against its SLO. */
  minBaselineHours: 6,
  /** "for 15 min" */
  forMs: 15 * MINUTE_MS,
  keepFiringForMs: 5 * MINUTE_MS,
} as const;

export interface LatencySlo {
  service?: string;
  provider?: string;
  model?: string;
  /** The p95 the team promises, ms. */
  p95: number;
}

export interface LatencyP95Rule {
  factor: number;
  sloFactor: number;
  windowMs: number;
  confidence: number;
  baselineMs: number;
  minHourSamples: number;
  minBaselineHours: number;
  forMs: number;
  slo: readonly LatencySlo[];
}

/** The most specific SLO entry matching the series (model beats provider beats service beats none). */
export function sloFor(
  slos: readonly LatencySlo[],
  labels: { service?: string; provider?: string; model?: string },
): number | undefined {
  let best: { score: number; p95: number } | undefined;
  for (const s of slos) {
    if (s.service !== undefined && s.service !== labels.service) continue;
    if (s.provider !== undefined && s.provider !== labels.provider) continue;
    if (s.model !== undefined && s.model !== labels.model) continue;
    const score = (s.model ? 4 : 0) + (s.provider ? 2 : 0) + (s.service ? 1 : 0);
    if (!best || score > best.score) best = { score, p95: s.p95 };
  }
  return best?.p95;
}

export function latencyBaseline(rule: LatencyP95Rule, h: ScopeHistory, windowStart: number): number | undefined {
  const from = windowStart - rule.baselineMs;
  // The same closed hours give the same baseline all hour long: computed once an hour.
  return h.overClosedHours(`p95|${rule.minHourSamples}|${rule.minBaselineHours}`, from, windowStart, () => {
    const p95s: number[] = [];
    for (const hour of h.hoursBetween(from, windowStart)) {
      if (hour.count >= rule.minHourSamples && hour.p95Ms !== undefined) p95s.push(hour.p95Ms);
    }
    return p95s.length >= rule.minBaselineHours ? median(p95s) : undefined;
  });
}

/**
 * The spans the evidence may widen to, in windows: at low traffic one window holds too few
 * requests to prove anything, three hold three times as many. Tried only while the newest window
 * itself runs above the limit (still going on), and each is one more chance of a fluke (the level
 * is divided by their number).
 */
export const LATENCY_SPANS = 3;

/** Is p95 provably above `limit`: more than 5% of the requests slower than it, over 1..LATENCY_SPANS windows? */
function provablyAbove(h: ScopeHistory, minute: number, windowMs: number, limit: number, alpha: number): boolean {
  let sketch: DDSketch | undefined;
  for (let i = 0; i < LATENCY_SPANS; i++) {
    const part = h.latency(minute - i * windowMs, windowMs);
    if (sketch) sketch.merge(part);
    else sketch = part;
    const n = Math.round(sketch.count);
    if (n > 0 && significantlyAbove(Math.round(countAbove(sketch, limit)), n, 1 - LATENCY_QUANTILE, alpha)) return true;
  }
  return false;
}

/** The slowest request of the minutes in (minute - windowMs, minute] (each minute's sketch keeps its max). */
function slowest(h: ScopeHistory, minute: number, windowMs: number): number {
  const from = minute - windowMs + MINUTE_MS;
  let max = -Infinity;
  for (let i = h.minutes.length - 1; i >= 0; i--) {
    const p = h.minutes[i];
    if (!p || p.minute < from) break;
    if (p.minute <= minute && p.latency.count > 0 && p.latency.max > max) max = p.latency.max;
  }
  return max;
}

export function latencyP95Check(
  rule: LatencyP95Rule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
  ctx: RuleContext = { scopesTested: 1 },
): string | undefined {
  if (h.window(minute, rule.windowMs).count === 0) return undefined;
  const slo = sloFor(rule.slo, scope.labels);
  const baseline = latencyBaseline(rule, h, minute - rule.windowMs + MINUTE_MS);
  const sloLimit = slo !== undefined ? rule.sloFactor * slo : Infinity;
  const baseLimit = baseline !== undefined ? rule.factor * baseline : Infinity;
  // Cheap exit (nearly every minute): no request in the window is slower than the lowest limit,
  // so its p95 cannot be above it (no sketch merge needed).
  if (slowest(h, minute, rule.windowMs) <= Math.min(sloLimit, baseLimit)) return undefined;
  const p95 = h.latency(minute, rule.windowMs).getValueAtQuantile(LATENCY_QUANTILE);
  if (slo !== undefined && p95 <= slo) return undefined; // inside SLO: never page
  const alpha = (1 - rule.confidence) / Math.max(1, ctx.scopesTested) / LATENCY_SPANS;
  const above = (limit: number): boolean => p95 > limit && provablyAbove(h, minute, rule.windowMs, limit, alpha);
  const forMin = rule.forMs / MINUTE_MS;
  if (slo !== undefined && above(sloLimit)) {
    return `p95 ${fmtLatency(p95)} vs SLO ${fmtLatency(slo)} (${(p95 / slo).toFixed(1)}x) for ${forMin} min on ${scope.name}`;
  }
  if (baseline === undefined || !above(baseLimit)) return undefined;
  return `p95 ${fmtLatency(p95)} vs baseline ${fmtLatency(baseline)} for ${forMin} min on ${scope.name}`;
}

import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { LATENCY_QUANTILE, type ScopeHistory } from '../rollup/history.js';
import { fmtLatency } from './format.js';
import type { Scope } from './scope.js';
import { median } from './stats.js';

export const LATENCY_P95_RULE_ID = 'latency-p95';

/**
 * Field note: "Tier 1 — page: p95 latency above 2x baseline for 15 min (or 3x SLO)" and "never
 * page on latency inside SLO". The baseline is the MEDIAN of the trailing 24 hourly p95s of the
 * same series (hours with enough samples, ending before the window): the median ignores a few
 * slow hours, and 24 h of hours covers the daily rhythm without needing a week of history.
 */
export const LATENCY_P95_DEFAULTS = {
  /** "above 2x baseline" */
  factor: 2,
  /** "or 3x SLO" (only when an SLO is configured for the series) */
  sloFactor: 3,
  /** p95 is measured over a sliding 10-minute window (more samples than 1 min, still fast). */
  windowMs: 10 * MINUTE_MS,
  /** "never page on single requests": below 30 requests in the window, no verdict. */
  minSamples: 30,
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
  minSamples: number;
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
  const p95s: number[] = [];
  for (const hour of h.hoursBetween(windowStart - rule.baselineMs, windowStart)) {
    if (hour.count >= rule.minHourSamples && hour.p95Ms !== undefined) p95s.push(hour.p95Ms);
  }
  return p95s.length >= rule.minBaselineHours ? median(p95s) : undefined;
}

export function latencyP95Check(
  rule: LatencyP95Rule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const w = h.window(minute, rule.windowMs);
  if (w.count < rule.minSamples) return undefined;
  const p95 = h.latency(minute, rule.windowMs).getValueAtQuantile(LATENCY_QUANTILE);
  const slo = sloFor(rule.slo, scope.labels);
  if (slo !== undefined && p95 <= slo) return undefined; // inside SLO: never page
  const forMin = rule.forMs / MINUTE_MS;
  if (slo !== undefined && p95 > rule.sloFactor * slo) {
    return `p95 ${fmtLatency(p95)} vs SLO ${fmtLatency(slo)} (${(p95 / slo).toFixed(1)}x) for ${forMin} min on ${scope.name}`;
  }
  const baseline = latencyBaseline(rule, h, minute - rule.windowMs + MINUTE_MS);
  if (baseline === undefined || p95 <= rule.factor * baseline) return undefined;
  return `p95 ${fmtLatency(p95)} vs baseline ${fmtLatency(baseline)} for ${forMin} min on ${scope.name}`;
}

import { MINUTE_MS } from '../clock.js';
import { HISTORY_LIMITS, type ScopeHistory } from '../rollup/history.js';
import { fmtPct } from './format.js';
import type { Scope } from './scope.js';
import { minutesOf, trailingSums } from './spans.js';
import { allFailedPValue, significantlyAbove } from './stats.js';

export const PROVIDER_DOWN_RULE_ID = 'provider-down';

/**
 * Field note: "Tier 1 — page: provider API down … page immediately". Per provider (all services
 * and models together), two ways to be down (issue 13), both statistical decisions, no minimum
 * count:
 * - total: no request succeeded over the last `fastWindow` (widened up to `window` while the
 *   evidence is short), and that is improbable for a healthy provider: each attempt of a healthy
 *   provider fails with probability at most q = max(`normalFailureShare`, its failure share over
 *   the trailing `baseline`), so n failures in a row have p-value q^n, which must be below
 *   1 - `outageConfidence`. With the defaults (q ≥ 2%, 99.9%) two failed attempts and no success
 *   page (4e-4), one never can (q > 0.1%): at 2 req/min that is within 2 minutes of the start; a
 *   provider that normally fails 5% of its requests needs three.
 * - partial: connection/5xx/timeout errors dominate — an exact binomial test says their share is
 *   above `dominantShare` at `confidence` over the shortest span from `fastWindow` up to `window`
 *   that proves it, and they still dominate the newest `fastWindow`: within 5 minutes at a few
 *   requests a minute, within 2 at high traffic.
 * The span already carries the persistence, so the alert fires the first minute it holds
 * (`for` 1 min).
 */
export const PROVIDER_DOWN_DEFAULTS = {
  /** The longest span the evidence may widen to when traffic is low. */
  windowMs: 15 * MINUTE_MS,
  /** The shortest span: one bad minute alone is a blip, two are an outage. */
  fastWindowMs: 2 * MINUTE_MS,
  /**
   * The failure share a healthy provider is assumed to reach at worst (the null of the total
   * test), when its own trailing share is lower: 2%, four times the usual background.
   */
  normalFailureShare: 0.02,
  /** The provider's own failure share is measured over this trailing span (ending before the evidence). */
  baselineMs: 24 * 60 * MINUTE_MS,
  /**
   * One-sided confidence of the total test: p-value q^n below 0.1%. Must stay above
   * 1 - `normalFailureShare` (the config refuses otherwise) so one failed request never pages.
   */
  outageConfidence: 0.999,
  /** "dominate": the share of availability errors is above one half... */
  dominantShare: 0.5,
  /**
   * ...with this confidence (one-sided exact binomial test). 90%: the null is already a broken
   * provider (half its requests failing with availability errors), so a false call means paging
   * for a provider at, say, 40% 5xx, which error-rate pages anyway; in exchange an 85% outage at
   * 2 req/min (7 of 9 failed) is called within 5 minutes instead of about 8.
   */
  confidence: 0.9,
  /** error_type values that mean the provider was unreachable or broken (not our bad request). */
  errorTypes: ['connection_error', 'server_error', 'timeout', 'unavailable', 'overloaded'] as readonly string[],
  /** "page immediately": the span is the persistence. */
  forMs: 1 * MINUTE_MS,
  keepFiringForMs: 5 * MINUTE_MS,
} as const;

export interface ProviderDownRule {
  windowMs: number;
  fastWindowMs: number;
  normalFailureShare: number;
  baselineMs: number;
  outageConfidence: number;
  dominantShare: number;
  confidence: number;
  errorTypes: readonly string[];
}

const COUNT = 0;
const ERRORS = 1;
const DOWN = 2;

export function providerDownCheck(
  rule: ProviderDownRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const fast = minutesOf(rule.fastWindowMs);
  const max = Math.min(Math.max(minutesOf(rule.windowMs), fast), HISTORY_LIMITS.minutes);
  if (healthy(rule, h, minute, fast)) return undefined;
  const sums = trailingSums(h, minute, max, 3, (p, into, at) => {
    into[at + COUNT] = p.count;
    into[at + ERRORS] = p.errors;
    let down = 0;
    for (const t of rule.errorTypes) down += p.errorTypes[t] ?? 0;
    into[at + DOWN] = down;
  });
  const at = (span: number, j: number): number => sums.at(span, j);
  // Still happening: something was attempted in the newest span.
  if (at(fast, COUNT) === 0) return undefined;

  // Total: the shortest span (from fastWindow) with no success whose failures a healthy
  // provider would not produce (q^n < alpha); stop at the first span holding a success.
  const q = Math.max(rule.normalFailureShare, failureShare(rule, h, minute - (max - 1) * MINUTE_MS));
  const outageAlpha = 1 - rule.outageConfidence;
  for (let span = fast; span <= max; span++) {
    const n = at(span, COUNT);
    if (at(span, ERRORS) < n) break;
    // "Never page on single request failures" (field note): also what the config's bounds imply.
    if (n >= 2 && allFailedPValue(n, q) < outageAlpha)
      return `${scope.name}: no successful request in ${span} min (${n} attempted, ${n} failed)`;
  }

  // Partial: availability errors still dominate the newest span, and provably over some span.
  if (at(fast, DOWN) / at(fast, COUNT) <= rule.dominantShare) return undefined;
  const alpha = 1 - rule.confidence;
  for (let span = fast; span <= max; span++) {
    const n = at(span, COUNT);
    const down = at(span, DOWN);
    if (!significantlyAbove(down, n, rule.dominantShare, alpha)) continue;
    return partialSummary(rule, h, minute, span, scope, n, n - at(span, ERRORS));
  }
  return undefined;
}

/**
 * The common exit, from the newest span's window alone (no per-span sums): nothing attempted, or
 * some request succeeded (no total outage can start at the newest span) and availability errors
 * do not dominate it (no partial one). Counts are integers: the same totals in any order.
 */
function healthy(rule: ProviderDownRule, h: ScopeHistory, minute: number, fast: number): boolean {
  const w = h.window(minute, fast * MINUTE_MS);
  if (w.count === 0) return true;
  if (w.errors >= w.count) return false;
  let down = 0;
  for (const t of rule.errorTypes) down += w.errorTypes[t] ?? 0;
  return down / w.count <= rule.dominantShare;
}

/** The provider's failure share over the trailing baseline hours ending at `end` (0 with none). */
function failureShare(rule: ProviderDownRule, h: ScopeHistory, end: number): number {
  const b = h.sumHours(end - rule.baselineMs, end);
  return b.count > 0 ? b.errors / b.count : 0;
}

function partialSummary(
  rule: ProviderDownRule,
  h: ScopeHistory,
  minute: number,
  span: number,
  scope: Scope,
  n: number,
  ok: number,
): string {
  const w = h.window(minute, span * MINUTE_MS);
  let down = 0;
  const parts: string[] = [];
  for (const t of rule.errorTypes) {
    const k = w.errorTypes[t] ?? 0;
    if (k > 0) parts.push(`${t} ${k}`);
    down += k;
  }
  return `${scope.name}: ${fmtPct(down / n)} of ${n} requests failed with connection/5xx/timeout errors over ${span} min (${parts.join(', ')}); ${ok} succeeded`;
}

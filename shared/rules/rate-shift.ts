import { DAY_MS, MINUTE_MS } from '../clock.js';
import type { Agg } from '../rollup/agg.js';
import type { ScopeHistory } from '../rollup/history.js';
import { fmtPct } from './format.js';
import type { Scope } from './scope.js';

export const RETRIEVAL_DROP_RULE_ID = 'retrieval-drop';
export const NEGATIVE_FEEDBACK_RULE_ID = 'negative-feedback';

/**
 * Field notes: "Tier 2 — ticket: retrieval hit rate below baseline; negative feedback rate
 * above baseline". Both are a proportion over a sliding window compared with the same
 * proportion over the trailing 7 days (before the window), by an absolute margin, with minimum
 * counts on both sides. Per service. A margin of 15 points is > 4 standard errors at the
 * minimum sample sizes for the rates these services run at.
 */
export const RETRIEVAL_DROP_DEFAULTS = {
  margin: 0.15,
  windowMs: 30 * MINUTE_MS,
  baselineMs: 7 * DAY_MS,
  minSamples: 100,
  minBaselineSamples: 500,
  forMs: 15 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

export const NEGATIVE_FEEDBACK_DEFAULTS = {
  margin: 0.15,
  windowMs: 60 * MINUTE_MS,
  baselineMs: 7 * DAY_MS,
  /** Rated requests (thumbs up + down) in the window. */
  minSamples: 40,
  minBaselineSamples: 200,
  forMs: 15 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

export interface RateShiftRule {
  margin: number;
  windowMs: number;
  baselineMs: number;
  minSamples: number;
  minBaselineSamples: number;
}

interface Proportion {
  hits: number;
  total: number;
}

function shift(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  of: (a: Agg) => Proportion,
  direction: 'below' | 'above',
): { now: Proportion; base: Proportion } | undefined {
  const now = of(h.window(minute, rule.windowMs));
  if (now.total < rule.minSamples) return undefined;
  const start = minute - rule.windowMs + MINUTE_MS;
  const base = of(h.sumHours(start - rule.baselineMs, start));
  if (base.total < rule.minBaselineSamples) return undefined;
  const delta = now.hits / now.total - base.hits / base.total;
  const tripped = direction === 'below' ? -delta > rule.margin : delta > rule.margin;
  return tripped ? { now, base } : undefined;
}

export function retrievalDropCheck(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const r = shift(
    rule,
    h,
    minute,
    (a) => ({ hits: a.retrievalHits, total: a.retrievalHits + a.retrievalMisses }),
    'below',
  );
  if (!r) return undefined;
  return (
    `retrieval hit rate ${fmtPct(r.now.hits / r.now.total)} (${r.now.hits}/${r.now.total}) vs baseline ` +
    `${fmtPct(r.base.hits / r.base.total)} over ${rule.windowMs / MINUTE_MS} min on ${scope.name}`
  );
}

export function negativeFeedbackCheck(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const r = shift(rule, h, minute, (a) => ({ hits: a.feedbackDown, total: a.feedbackDown + a.feedbackUp }), 'above');
  if (!r) return undefined;
  return (
    `negative feedback ${fmtPct(r.now.hits / r.now.total)} (${r.now.hits}/${r.now.total} rated) vs baseline ` +
    `${fmtPct(r.base.hits / r.base.total)} over ${rule.windowMs / MINUTE_MS} min on ${scope.name}`
  );
}

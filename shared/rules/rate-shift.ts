import { DAY_MS, MINUTE_MS } from '../clock.js';
import type { Agg } from '../rollup/agg.js';
import type { ScopeHistory } from '../rollup/history.js';
import { fmtPct } from './format.js';
import type { Scope } from './scope.js';
import { significantlyAbove, significantlyBelow } from './stats.js';
import type { RuleContext } from './window-rule.js';

export const RETRIEVAL_DROP_RULE_ID = 'retrieval-drop';
export const NEGATIVE_FEEDBACK_RULE_ID = 'negative-feedback';

/**
 * Field notes: "Tier 2 — ticket: retrieval hit rate below baseline; negative feedback rate
 * above baseline". Both are a proportion over a sliding window compared with the same
 * proportion over the trailing 7 days (before the window), by an absolute margin. Per service.
 * Detection v2 (issue 13): no fixed minimum count in the window; an exact binomial test must
 * show the window's rate is beyond baseline ± margin at `confidence`, with the significance level
 * divided by the number of services tested that minute (Bonferroni), so 16 of 47 rated thumbs
 * down against a 15% baseline (34%: by chance, one service in a dozen gets there on a quiet day)
 * is no longer a ticket, while 60% of 50 is. The baseline keeps its minimum count: it is the
 * yardstick, not the evidence.
 */
export const RETRIEVAL_DROP_DEFAULTS = {
  margin: 0.15,
  windowMs: 30 * MINUTE_MS,
  baselineMs: 7 * DAY_MS,
  /** Superseded by the statistical decision (issue 13); still accepted, ignored. */
  minSamples: 100,
  minBaselineSamples: 500,
  /** One-sided, before the correction for the number of services tested. */
  confidence: 0.99,
  forMs: 15 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

export const NEGATIVE_FEEDBACK_DEFAULTS = {
  margin: 0.15,
  windowMs: 60 * MINUTE_MS,
  baselineMs: 7 * DAY_MS,
  /** Rated requests (thumbs up + down) in the window. */
  /** Superseded by the statistical decision (issue 13); still accepted, ignored. */
  minSamples: 40,
  minBaselineSamples: 200,
  confidence: 0.99,
  forMs: 15 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

export interface RateShiftRule {
  margin: number;
  windowMs: number;
  baselineMs: number;
  minBaselineSamples: number;
  confidence: number;
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
  scopesTested: number,
): { now: Proportion; base: Proportion } | undefined {
  const now = of(h.window(minute, rule.windowMs));
  if (now.total === 0) return undefined;
  const start = minute - rule.windowMs + MINUTE_MS;
  const base = of(h.sumHours(start - rule.baselineMs, start));
  if (base.total < rule.minBaselineSamples) return undefined;
  const alpha = (1 - rule.confidence) / Math.max(1, scopesTested);
  const b = base.hits / base.total;
  const tripped =
    direction === 'below'
      ? b - rule.margin > 0 && significantlyBelow(now.hits, now.total, b - rule.margin, alpha)
      : b + rule.margin < 1 && significantlyAbove(now.hits, now.total, b + rule.margin, alpha);
  return tripped ? { now, base } : undefined;
}

export function retrievalDropCheck(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
  ctx: RuleContext = { scopesTested: 1 },
): string | undefined {
  const r = shift(
    rule,
    h,
    minute,
    (a) => ({ hits: a.retrievalHits, total: a.retrievalHits + a.retrievalMisses }),
    'below',
    ctx.scopesTested,
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
  ctx: RuleContext = { scopesTested: 1 },
): string | undefined {
  const r = shift(
    rule,
    h,
    minute,
    (a) => ({ hits: a.feedbackDown, total: a.feedbackDown + a.feedbackUp }),
    'above',
    ctx.scopesTested,
  );
  if (!r) return undefined;
  return (
    `negative feedback ${fmtPct(r.now.hits / r.now.total)} (${r.now.hits}/${r.now.total} rated) vs baseline ` +
    `${fmtPct(r.base.hits / r.base.total)} over ${rule.windowMs / MINUTE_MS} min on ${scope.name}`
  );
}

import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import type { Agg } from '../rollup/agg.js';
import { HISTORY_LIMITS, type ScopeHistory } from '../rollup/history.js';
import { fmtPct } from './format.js';
import type { Scope } from './scope.js';
import { cusumThreshold, normalQuantile, shiftedAbove, shiftedBelow, wilsonInterval } from './stats.js';
import { minutesOf } from './spans.js';
import { cusumOverRing } from './cusum-walk.js';
import type { RuleContext } from './window-rule.js';

export const RETRIEVAL_DROP_RULE_ID = 'retrieval-drop';
export const NEGATIVE_FEEDBACK_RULE_ID = 'negative-feedback';

/**
 * Field notes: "Tier 2 — ticket: retrieval hit rate below baseline; negative feedback rate
 * above baseline". Both are a proportion now compared with the same proportion over the
 * trailing 7 days (before `window`), by an absolute margin. Per service.
 * Detection v2 (issue 13): no minimum count, neither now nor in the baseline. The rule holds when,
 * over the last quarter, half or whole `window` (the evidence widens at low traffic), the rate is
 * provably beyond the baseline by more than `margin`: an exact binomial test rejects "the rate is
 * within `margin` of the baseline" at 1 - `confidence` divided by the number of services tested
 * that minute (Bonferroni), the baseline taken at its 90% Wilson bound so its own size counts (a
 * small baseline is a vague yardstick, not a reason to be blind). So 16 of 47 rated thumbs down
 * against a 15% baseline (one service in a dozen gets there by chance on a quiet day) is no
 * ticket, while 60% of 50 is; and it must hold for `for` (15 min), so a lucky streak of thumbs
 * down found by one of the spans in a busy month is not a ticket either.
 */
export const RETRIEVAL_DROP_DEFAULTS = {
  margin: 0.15,
  /** The longest span the evidence may cover (its baseline ends where it starts). */
  windowMs: 30 * MINUTE_MS,
  baselineMs: 7 * DAY_MS,
  /** One-sided, before the correction for the number of services and spans tested. */
  confidence: 0.99,
  forMs: 15 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

export const NEGATIVE_FEEDBACK_DEFAULTS = {
  margin: 0.15,
  /** Rated requests (thumbs up + down) are few: the evidence may widen to an hour. */
  windowMs: 60 * MINUTE_MS,
  baselineMs: 7 * DAY_MS,
  confidence: 0.99,
  forMs: 15 * MINUTE_MS,
  keepFiringForMs: 30 * MINUTE_MS,
} as const;

/**
 * The spans the evidence is tried over, as fractions of `window`: a quarter answers fast at high
 * traffic, the whole window at low traffic. Few, because every span tried is one more chance of a
 * fluke; `for` (the condition held 15 minutes in a row) is what keeps those flukes out.
 */
export const RATE_SHIFT_SPANS = [0.25, 0.5, 1] as const;

/** How sure the baseline's bound is: its 90% Wilson bound (one-sided) is the yardstick. */
export const BASELINE_BOUND_CONFIDENCE = 0.9;

/**
 * The sequential decision next to the binomial one (either decides): a one-sided Bernoulli CUSUM
 * of each minute's counts, null = the baseline (at its Wilson bound, as above), alternative = the
 * baseline moved by twice the margin (so a move of exactly `margin` is the point of indifference).
 * It keeps accumulating past `window`, so a service at 2 requests a minute proves a retrieval
 * drop within the hour; its threshold follows from a false-alarm budget in time, not in windows:
 * e^h ≥ (the scope's trials a month, from its baseline's pace) × (services tested) / budget.
 */
export const RATE_SHIFT_SEQUENTIAL = {
  /** Expected false tickets a month per rule over all services tested (Wald's bound). */
  falseAlarmsPerMonth: 0.1,
  /** The alternative: the baseline moved by this many margins. */
  alternativeMargins: 2,
  /** The threshold is never below this many of the largest single-trial steps (one bad trial is nothing). */
  minSteps: 3,
  /** Rates are kept this far from 0 and 1, so every step stays finite. */
  rateFloor: 0.001,
} as const;

const MONTH_MS = 30 * DAY_MS;

export interface RateShiftRule {
  margin: number;
  windowMs: number;
  baselineMs: number;
  confidence: number;
}

/** The Agg fields a rule counts: [hits, the rest of the trials]. */
type Counts = readonly ['retrievalHits' | 'feedbackDown', 'retrievalMisses' | 'feedbackUp'];

interface Proportion {
  hits: number;
  total: number;
}

/** What proved the shift: the span (minutes), its counts and the baseline's; for the sequential test, its LLR and threshold. */
interface Shift {
  span: number;
  now: Proportion;
  base: Proportion;
  sequential?: { llr: number; threshold: number };
}

/**
 * The CUSUM of `sequentialShift`'s statistic over the minute ring (at most HISTORY_LIMITS.minutes,
 * never before the scope existed): undefined unless it reaches its threshold; else the run of
 * newest minutes that carries it, with their counts.
 */
function sequentialShift(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  [hitsKey, missesKey]: Counts,
  direction: 'below' | 'above',
  base: Proportion,
  baselineEnd: number,
  scopesTested: number,
): Shift | undefined {
  const seq = RATE_SHIFT_SEQUENTIAL;
  const bound = wilsonInterval(base.hits, base.total, normalQuantile(BASELINE_BOUND_CONFIDENCE));
  const move = seq.alternativeMargins * rule.margin;
  const p0 = Math.min(1 - seq.rateFloor, Math.max(seq.rateFloor, direction === 'below' ? bound.lower : bound.upper));
  const p1 = direction === 'below' ? p0 - move : p0 + move;
  if (p1 < seq.rateFloor || p1 > 1 - seq.rateFloor) return undefined;
  // The scope's pace: its baseline's trials over the time the baseline actually covers.
  const covered = Math.min(rule.baselineMs, Math.max(HOUR_MS, baselineEnd - (h.firstSeen ?? baselineEnd)));
  const threshold = cusumThreshold(
    (base.total * MONTH_MS) / covered,
    scopesTested,
    seq.falseAlarmsPerMonth,
    p0,
    p1,
    seq.minSteps,
  );
  // bernoulliLlr's two steps, once (this walk runs every minute on every service with trials).
  const hit = Math.log(p1 / p0);
  const miss = Math.log((1 - p1) / (1 - p0));
  if (cannotReach(h, minute, hitsKey, missesKey, hit, miss, threshold)) return undefined;
  const run = cusumOverRing(h, minute, [hitsKey, missesKey], hit, miss);
  const s = run.s;
  if (s < threshold) return undefined;
  return {
    span: Math.round((minute - (run.since ?? minute)) / MINUTE_MS) + 1,
    now: { hits: run.hits, total: run.total },
    base,
    sequential: { llr: s, threshold },
  };
}

/**
 * The CUSUM can never exceed the sum of its positive steps over the minutes it walks: when even
 * that stays under the threshold (a quiet service, nearly every minute), the walk cannot reach it
 * and is skipped. The margin covers float rounding of the walk's sum (far below 1e-9 relative).
 */
function cannotReach(
  h: ScopeHistory,
  minute: number,
  hitsKey: Counts[0],
  missesKey: Counts[1],
  hit: number,
  miss: number,
  threshold: number,
): boolean {
  const oldest = h.minutes[0]?.minute;
  if (oldest === undefined || oldest > minute) return false; // nothing to walk: let the walk answer
  const all = h.window(minute, minute - oldest + MINUTE_MS);
  const bound = all[hitsKey] * Math.max(hit, 0) + all[missesKey] * Math.max(miss, 0);
  return bound * (1 + 1e-9) + 1e-9 < threshold;
}

function proportion(a: Readonly<Agg>, [hitsKey, missesKey]: Counts): Proportion {
  return { hits: a[hitsKey], total: a[hitsKey] + a[missesKey] };
}

/** The distinct span lengths (minutes) RATE_SHIFT_SPANS gives for a window of `maxSpan` minutes (kept: asked every minute). */
const spanLists = new Map<number, readonly number[]>();

function spansOf(maxSpan: number): readonly number[] {
  let spans = spanLists.get(maxSpan);
  if (!spans) {
    spans = [...new Set(RATE_SHIFT_SPANS.map((f) => Math.max(1, Math.round(f * maxSpan))))];
    spanLists.set(maxSpan, spans);
  }
  return spans;
}

function shift(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  counts: Counts,
  direction: 'below' | 'above',
  scopesTested: number,
): Shift | undefined {
  const of = (a: Readonly<Agg>): Proportion => proportion(a, counts);
  const maxSpan = Math.min(minutesOf(rule.windowMs), HISTORY_LIMITS.minutes);
  // Nothing at all over the longest span: nothing to decide (the cheap, common exit).
  if (of(h.window(minute, maxSpan * MINUTE_MS)).total === 0) return undefined;
  const start = minute - (maxSpan - 1) * MINUTE_MS;
  const base = of(h.sumHours(start - rule.baselineMs, start));
  if (base.total === 0) return undefined;
  const spans = spansOf(maxSpan);
  const alpha = (1 - rule.confidence) / Math.max(1, scopesTested);
  // A span cannot claim time before the scope existed.
  const longest = Math.floor((minute - (h.firstSeen ?? minute)) / MINUTE_MS) + 1;
  for (const span of spans) {
    if (span > longest) break;
    const now = of(h.window(minute, span * MINUTE_MS));
    const tripped =
      direction === 'below'
        ? shiftedBelow(now.hits, now.total, base.hits, base.total, rule.margin, alpha, BASELINE_BOUND_CONFIDENCE)
        : shiftedAbove(now.hits, now.total, base.hits, base.total, rule.margin, alpha, BASELINE_BOUND_CONFIDENCE);
    if (tripped) return { span, now, base };
  }
  return sequentialShift(rule, h, minute, counts, direction, base, start, scopesTested);
}

/** " (sequential test: LLR 16.2 ≥ 15.4)" when the CUSUM decided. */
function how(r: Shift): string {
  return r.sequential
    ? ` (sequential test: LLR ${r.sequential.llr.toFixed(1)} ≥ ${r.sequential.threshold.toFixed(1)})`
    : '';
}

export function retrievalDropCheck(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
  ctx: RuleContext = { scopesTested: 1 },
): string | undefined {
  const r = shift(rule, h, minute, ['retrievalHits', 'retrievalMisses'], 'below', ctx.scopesTested);
  if (!r) return undefined;
  return (
    `retrieval hit rate ${fmtPct(r.now.hits / r.now.total)} (${r.now.hits}/${r.now.total}) vs baseline ` +
    `${fmtPct(r.base.hits / r.base.total)} over ${r.span} min on ${scope.name}${how(r)}`
  );
}

export function negativeFeedbackCheck(
  rule: RateShiftRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
  ctx: RuleContext = { scopesTested: 1 },
): string | undefined {
  const r = shift(rule, h, minute, ['feedbackDown', 'feedbackUp'], 'above', ctx.scopesTested);
  if (!r) return undefined;
  return (
    `negative feedback ${fmtPct(r.now.hits / r.now.total)} (${r.now.hits}/${r.now.total} rated) vs baseline ` +
    `${fmtPct(r.base.hits / r.base.total)} over ${r.span} min on ${scope.name}${how(r)}`
  );
}

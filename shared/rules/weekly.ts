import { DAY_MS } from '../clock.js';
import type { Agg } from '../rollup/agg.js';
import { fmtPct, fmtUsd } from './format.js';
import { totalVariation } from './stats.js';

/**
 * Tier 3 — weekly review (field note: "provider changelog / model version change, input
 * distribution trends, cost trends, eval coverage"). Checked once per closed event-time hour;
 * an alert stays open while the finding is true and resolves by itself when it no longer is.
 */
export const MODEL_VERSION_CHANGE_RULE_ID = 'model-version-change';
export const INPUT_MIX_TREND_RULE_ID = 'input-mix-trend';
export const COST_TREND_RULE_ID = 'cost-trend';
export const EVAL_COVERAGE_RULE_ID = 'eval-coverage';

export const WEEK_MS = 7 * DAY_MS;

export const MODEL_VERSION_CHANGE_DEFAULTS = {
  /** A model first seen this recently is "new"; it stays on the review list for a week. */
  newForMs: WEEK_MS,
  /** The (service, provider) must have been in use this long before, else it is a new usage pattern. */
  learningMs: DAY_MS,
  forMs: 0,
  keepFiringForMs: 0,
} as const;

export const INPUT_MIX_TREND_DEFAULTS = {
  /** Total-variation distance between this week's and last week's request mix over series. */
  threshold: 0.2,
  minSamples: 1000,
  forMs: 0,
  keepFiringForMs: 0,
} as const;

export const COST_TREND_DEFAULTS = {
  /** Week-over-week growth (0.3 = +30%). */
  growth: 0.3,
  minWeeklyCostUsd: 1,
  forMs: 0,
  keepFiringForMs: 0,
} as const;

export const EVAL_COVERAGE_DEFAULTS = {
  /** A suite with no run for this long is missing from this week's coverage. */
  maxGapMs: WEEK_MS,
  forMs: 0,
  keepFiringForMs: 0,
} as const;

/**
 * Week-over-week rules compare the 7 days before `at` with the 7 before those. Until a scope
 * has data from the start of that earlier week, "last week" is a partial week, and a steady new
 * service would read as growth (a week against a day): no verdict before two full weeks.
 */
export function coversTwoWeeks(firstSeen: number | undefined, at: number): boolean {
  return firstSeen !== undefined && firstSeen <= at - 2 * WEEK_MS;
}

export interface ModelSeen {
  model: string;
  firstSeen: number;
}

/** Models of one (service, provider) first seen within `newForMs` of `now`, when older ones exist. */
export function modelVersionChangeCheck(
  rule: { newForMs: number; learningMs: number },
  models: readonly ModelSeen[],
  now: number,
  scopeName: string,
): { summary: string; models: string[] } | undefined {
  if (models.length < 2) return undefined;
  const first = Math.min(...models.map((m) => m.firstSeen));
  const fresh = models.filter((m) => m.firstSeen > now - rule.newForMs && m.firstSeen >= first + rule.learningMs);
  if (fresh.length === 0) return undefined;
  const known = models.filter((m) => !fresh.includes(m)).map((m) => m.model);
  const names = fresh.map((m) => m.model).sort();
  return {
    models: names,
    summary: `new model ${names.join(', ')} seen on ${scopeName} since ${new Date(Math.min(...fresh.map((m) => m.firstSeen))).toISOString().slice(0, 16)}Z (before: ${known.sort().join(', ')})`,
  };
}

/** Request counts per series over this week vs the week before. */
export function inputMixTrendCheck(
  rule: { threshold: number; minSamples: number },
  thisWeek: Readonly<Record<string, number>>,
  lastWeek: Readonly<Record<string, number>>,
): string | undefined {
  const n1 = Object.values(thisWeek).reduce((a, b) => a + b, 0);
  const n0 = Object.values(lastWeek).reduce((a, b) => a + b, 0);
  if (n1 < rule.minSamples || n0 < rule.minSamples) return undefined;
  const tv = totalVariation(thisWeek, lastWeek);
  if (tv <= rule.threshold) return undefined;
  const moves = [...new Set([...Object.keys(thisWeek), ...Object.keys(lastWeek)])]
    .map((k) => ({ k, was: (lastWeek[k] ?? 0) / n0, now: (thisWeek[k] ?? 0) / n1 }))
    .sort((a, b) => Math.abs(b.now - b.was) - Math.abs(a.now - a.was))
    .slice(0, 3)
    .map((x) => `${x.k} ${fmtPct(x.was)} → ${fmtPct(x.now)}`);
  return `request mix moved ${fmtPct(tv)} (total variation) week over week (${n0} → ${n1} requests): ${moves.join('; ')}`;
}

export function costTrendCheck(
  rule: { growth: number; minWeeklyCostUsd: number },
  thisWeek: Agg,
  lastWeek: Agg,
  scopeName: string,
): string | undefined {
  if (lastWeek.costUsd < rule.minWeeklyCostUsd || thisWeek.costUsd < rule.minWeeklyCostUsd) return undefined;
  const g = thisWeek.costUsd / lastWeek.costUsd - 1;
  if (g <= rule.growth) return undefined;
  return `cost ${fmtUsd(thisWeek.costUsd)} this week vs ${fmtUsd(lastWeek.costUsd)} last week (+${(100 * g).toFixed(0)}%) on ${scopeName}`;
}

export function evalCoverageCheck(
  rule: { maxGapMs: number },
  suite: string,
  lastRunTs: number,
  now: number,
): string | undefined {
  const gap = now - lastRunTs;
  if (gap <= rule.maxGapMs) return undefined;
  return `eval suite ${suite} has not run for ${(gap / DAY_MS).toFixed(1)} d (last run ${new Date(lastRunTs).toISOString().slice(0, 16)}Z)`;
}

import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import type { ScopeHistory } from '../rollup/history.js';
import { fmtUsd } from './format.js';
import type { Scope } from './scope.js';

export const COST_ANOMALY_RULE_ID = 'cost-anomaly';

/**
 * Field note: "Tier 1 — page: daily cost above 2x trailing 7-day average (cost rate above 5x
 * normal)" and "never page on cost within forecast". Per service. Two conditions, either pages:
 *  - rate: cost over the last 15 min above 5x the normal rate, where normal is the mean cost
 *    per minute in the same hour of day over the trailing 7 days (so the daily rhythm is the
 *    forecast, not an anomaly); falls back to the trailing 24 h mean while that hour has no history;
 *  - projected day: today's cost so far divided by the share of a day's cost that is usually
 *    spent by this time of day (from the trailing complete days), above 2x the trailing daily mean.
 */
export const COST_ANOMALY_DEFAULTS = {
  rateFactor: 5,
  shortWindowMs: 15 * MINUTE_MS,
  /** Below this many requests in the short window, no rate verdict. */
  minSamples: 20,
  /** Below this spend in the short window, no rate verdict (5x of pennies is not a page). */
  minWindowCostUsd: 0.05,
  dailyFactor: 2,
  trailingDays: 7,
  /** The projection needs this many complete days of history. */
  minHistoryDays: 3,
  /** ...and is not trusted before this share of a usual day's cost has been spent. */
  minDayFraction: 0.25,
  forMs: 10 * MINUTE_MS,
  keepFiringForMs: 15 * MINUTE_MS,
} as const;

export interface CostAnomalyRule {
  rateFactor: number;
  shortWindowMs: number;
  minSamples: number;
  minWindowCostUsd: number;
  dailyFactor: number;
  trailingDays: number;
  minHistoryDays: number;
  minDayFraction: number;
}

/** Normal cost per minute at `minute`: same hour of day over the trailing days, else trailing 24 h. */
export function normalCostPerMinute(rule: CostAnomalyRule, h: ScopeHistory, windowStart: number): number | undefined {
  const hourOfDay = Math.floor((windowStart % DAY_MS) / HOUR_MS);
  const from = windowStart - rule.trailingDays * DAY_MS;
  let same = 0;
  let sameHours = 0;
  let recent = 0;
  let recentHours = 0;
  for (const hp of h.hoursBetween(from, windowStart)) {
    if (Math.floor((hp.hour % DAY_MS) / HOUR_MS) === hourOfDay) {
      same += hp.costUsd;
      sameHours += 1;
    }
    if (hp.hour >= windowStart - DAY_MS) {
      recent += hp.costUsd;
      recentHours += 1;
    }
  }
  if (sameHours > 0) return same / sameHours / 60;
  if (recentHours >= 6) return recent / recentHours / 60;
  return undefined;
}

/** Projected cost of the UTC day holding `minute` vs the trailing daily mean, when both are known. */
export function projectedDay(
  rule: CostAnomalyRule,
  h: ScopeHistory,
  minute: number,
): { projected: number; average: number } | undefined {
  const dayStart = Math.floor(minute / DAY_MS) * DAY_MS;
  const elapsed = minute + MINUTE_MS - dayStart;
  const days = new Map<number, { total: number; byNow: number; hours: number }>();
  let today = 0;
  const from = dayStart - rule.trailingDays * DAY_MS;
  for (const hp of h.hours) {
    if (hp.hour < from || hp.hour > minute) continue;
    if (hp.hour >= dayStart) {
      today += hp.costUsd; // the open hour includes minutes up to the evaluated one
      continue;
    }
    const d = Math.floor(hp.hour / DAY_MS) * DAY_MS;
    const e = days.get(d) ?? { total: 0, byNow: 0, hours: 0 };
    e.total += hp.costUsd;
    e.hours += 1;
    if (hp.hour + HOUR_MS <= d + elapsed) e.byNow += hp.costUsd;
    else if (hp.hour < d + elapsed) e.byNow += (hp.costUsd * (d + elapsed - hp.hour)) / HOUR_MS;
    days.set(d, e);
  }
  // A "complete" day has most of its hours (a series may be quiet for an hour at night).
  const complete = [...days.values()].filter((d) => d.hours >= 20 && d.total > 0);
  if (complete.length < rule.minHistoryDays) return undefined;
  let total = 0;
  let fraction = 0;
  for (const d of complete) {
    total += d.total;
    fraction += d.byNow / d.total;
  }
  const average = total / complete.length;
  const share = fraction / complete.length;
  if (share < rule.minDayFraction || average <= 0) return undefined;
  return { projected: today / share, average };
}

export function costAnomalyCheck(
  rule: CostAnomalyRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const w = h.window(minute, rule.shortWindowMs);
  const windowStart = minute - rule.shortWindowMs + MINUTE_MS;
  if (w.count >= rule.minSamples && w.costUsd >= rule.minWindowCostUsd) {
    const normal = normalCostPerMinute(rule, h, windowStart);
    const rate = w.costUsd / (rule.shortWindowMs / MINUTE_MS);
    if (normal !== undefined && normal > 0 && rate > rule.rateFactor * normal) {
      return (
        `cost rate ${fmtUsd(rate * 60)}/h vs normal ${fmtUsd(normal * 60)}/h (${(rate / normal).toFixed(1)}x) ` +
        `over ${rule.shortWindowMs / MINUTE_MS} min on ${scope.name}`
      );
    }
  }
  const day = projectedDay(rule, h, minute);
  if (day && day.projected > rule.dailyFactor * day.average) {
    return (
      `projected daily cost ${fmtUsd(day.projected)} vs ${rule.trailingDays}-day average ${fmtUsd(day.average)} ` +
      `(${(day.projected / day.average).toFixed(1)}x) on ${scope.name}`
    );
  }
  return undefined;
}

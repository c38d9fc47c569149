import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import type { ScopeHistory } from '../rollup/history.js';
import { fmtUsd } from './format.js';
import { calendarSlot } from './calendar.js';
import type { Scope } from './scope.js';

export const COST_ANOMALY_RULE_ID = 'cost-anomaly';

/**
 * Field note: "Tier 1 — page: daily cost above 2x trailing 7-day average (cost rate above 5x
 * normal)" and "never page on cost within forecast". Per service. Two conditions, either pages:
 *  - rate: cost over the last 15 min above 5x the normal rate, where normal is the mean cost
 *    per minute in the same local hour on the same kind of day (weekday/weekend in the team's
 *    `defaults.timeZone`) over the trailing 7 days, so the daily and weekly rhythm is the
 *    forecast, not an anomaly (issue 13). While that slot has no history yet: the busiest hour
 *    of the same kind of day (a normal day never runs 5x its own peak), and no verdict under
 *    6 hours of that kind;
 *  - projected day: today's cost so far divided by the share of a day's cost that is usually
 *    spent by this time of day, above 2x the trailing daily mean of the same kind of day; with
 *    fewer than `minHistoryDays` of that kind, the larger of their mean and all days' mean, and no
 *    verdict at all before one day of the same kind (a Monday is never judged by a weekend).
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
  /** The team's time zone (`defaults.timeZone`): what "same hour, same kind of day" means. */
  timeZone?: string;
}

/**
 * Normal cost per minute at `windowStart`: the mean of the same local hour on the same kind of day;
 * while that slot has no history, the busiest hour seen on the same kind of day (a day's rhythm
 * never runs 5x its own peak); with under `MIN_FALLBACK_HOURS` of that kind, no verdict: a
 * weekday cannot be judged by weekend hours (a B2B service's Monday is 10x its Sunday).
 */
export function normalCostPerMinute(rule: CostAnomalyRule, h: ScopeHistory, windowStart: number): number | undefined {
  const tz = rule.timeZone ?? 'UTC';
  const at = calendarSlot(windowStart, tz);
  const from = windowStart - rule.trailingDays * DAY_MS;
  // The same closed hours and the same slot give the same normal: computed about once an hour.
  return h.overClosedHours(slotKey(tz, at), from, windowStart, () => slotNormal(h, tz, at, from, windowStart));
}

/** "cost|<zone>|<hour>|<weekend>", built once per zone and slot (asked for every service every minute). */
const slotKeys = new Map<string, string[]>();

function slotKey(tz: string, at: { hour: number; weekend: boolean }): string {
  let keys = slotKeys.get(tz);
  if (!keys) {
    keys = [];
    slotKeys.set(tz, keys);
  }
  const i = at.hour * 2 + (at.weekend ? 1 : 0);
  return (keys[i] ??= `cost|${tz}|${at.hour}|${at.weekend}`);
}

function slotNormal(
  h: ScopeHistory,
  tz: string,
  at: { hour: number; weekend: boolean },
  from: number,
  windowStart: number,
): number | undefined {
  let same = 0;
  let sameHours = 0;
  let peak = 0;
  let kindHours = 0;
  for (const hp of h.hoursBetween(from, windowStart)) {
    const slot = calendarSlot(hp.hour, tz);
    if (slot.weekend !== at.weekend) continue;
    if (slot.hour === at.hour) {
      same += hp.costUsd;
      sameHours += 1;
    }
    if (hp.costUsd > peak) peak = hp.costUsd;
    kindHours += 1;
  }
  if (sameHours > 0) return same / sameHours / 60;
  if (kindHours >= MIN_FALLBACK_HOURS) return peak / 60;
  return undefined;
}

/** Hours of the same kind of day before the fallback baseline (their busiest hour) is trusted. */
const MIN_FALLBACK_HOURS = 6;

/** Projected cost of the UTC day holding `minute` vs the trailing daily mean, when both are known. */
export function projectedDay(
  rule: CostAnomalyRule,
  h: ScopeHistory,
  minute: number,
): { projected: number; average: number } | undefined {
  const dayStart = Math.floor(minute / DAY_MS) * DAY_MS;
  const elapsed = minute + MINUTE_MS - dayStart;
  // The hour of the day `elapsed` ends in: earlier hours count whole, that one pro rata.
  const hourStart = Math.ceil(elapsed / HOUR_MS) * HOUR_MS - HOUR_MS;
  const partial = (elapsed - hourStart) / HOUR_MS;
  const from = dayStart - rule.trailingDays * DAY_MS;
  const tz = rule.timeZone ?? 'UTC';
  // The trailing days are closed: which of them count, and their mean, are worked out once per
  // hour of the day; only the share of the current hour (`partial`) moves minute by minute.
  const plan = h.overClosedHours(`day|${hourStart}|${tz}|${rule.minHistoryDays}`, from, dayStart, () =>
    dayPlan(rule, tz, dayShapes(h, from, dayStart, hourStart), dayStart),
  );
  if (!plan) return undefined;
  let today = 0;
  for (let i = h.hours.length - 1; i >= 0; i--) {
    const hp = h.hours[i];
    if (!hp || hp.hour < dayStart) break;
    if (hp.hour <= minute) today += hp.costUsd; // the open hour includes minutes up to the evaluated one
  }
  let fraction = 0;
  for (const d of plan.basis) fraction += (d.before + d.current * partial) / d.total;
  const share = fraction / plan.basis.length;
  if (share < rule.minDayFraction || plan.average <= 0) return undefined;
  return { projected: today / share, average: plan.average };
}

/** What projectedDay needs of the trailing days: the days its share is the mean over, and their mean cost. */
interface DayPlan {
  basis: DayShape[];
  average: number;
}

function dayPlan(
  rule: CostAnomalyRule,
  tz: string,
  shapes: Map<number, DayShape>,
  dayStart: number,
): DayPlan | undefined {
  // A "complete" day has most of its hours (a series may be quiet for an hour at night).
  const complete = [...shapes].filter(([, d]) => d.hours >= 20 && d.total > 0);
  if (complete.length < rule.minHistoryDays) return undefined;
  // The same kind of day (weekday/weekend, in the team's zone; judged at the UTC day's noon).
  const kind = (d: number): boolean => calendarSlot(d + DAY_MS / 2, tz).weekend;
  const sameKind = complete.filter(([d]) => kind(d) === kind(dayStart)).map(([, e]) => e);
  if (sameKind.length === 0) return undefined;
  const mean = (list: readonly { total: number }[]): number => list.reduce((a, d) => a + d.total, 0) / list.length;
  const all = complete.map(([, e]) => e);
  const enough = sameKind.length >= rule.minHistoryDays;
  return { basis: enough ? sameKind : all, average: enough ? mean(sameKind) : Math.max(mean(sameKind), mean(all)) };
}

interface DayShape {
  total: number;
  hours: number;
  /** Cost of the hours before `hourStart` into the day. */
  before: number;
  /** Cost of the hour starting `hourStart` into the day. */
  current: number;
}

/** Per trailing UTC day in [from, dayStart): its total, hours, and cost before / in the hour at `hourStart`. */
function dayShapes(h: ScopeHistory, from: number, dayStart: number, hourStart: number): Map<number, DayShape> {
  const days = new Map<number, DayShape>();
  for (const hp of h.hours) {
    if (hp.hour < from || hp.hour >= dayStart) continue;
    const d = Math.floor(hp.hour / DAY_MS) * DAY_MS;
    const e = days.get(d) ?? { total: 0, hours: 0, before: 0, current: 0 };
    e.total += hp.costUsd;
    e.hours += 1;
    if (hp.hour < d + hourStart) e.before += hp.costUsd;
    else if (hp.hour === d + hourStart) e.current += hp.costUsd;
    days.set(d, e);
  }
  return days;
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

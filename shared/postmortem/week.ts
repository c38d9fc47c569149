import { DateTime, IANAZone } from 'luxon';
import { REVIEW_MARK_WEEKS_AHEAD, REVIEW_MARK_WEEKS_BACK } from './schema.js';

/**
 * Review weeks: Monday 00:00 to the next Monday 00:00 in the team's time zone (the rotation's
 * `timeZone`), named by the Monday's date. DST-correct: calendar arithmetic, then the wall time,
 * so a DST week is 167 or 169 hours long.
 */
function zoneOrUtc(timeZone: string): string {
  return IANAZone.isValidZone(timeZone) ? timeZone : 'UTC';
}

/** The week holding `ms`. */
export function weekOf(ms: number, timeZone: string): string {
  const d = DateTime.fromMillis(ms, { zone: zoneOrUtc(timeZone) }).startOf('day');
  return d.minus({ days: d.weekday - 1 }).toISODate() ?? '';
}

/** `[startMs, endMs)` of a week. */
export function weekRange(week: string, timeZone: string): { startMs: number; endMs: number } {
  const start = DateTime.fromISO(week, { zone: zoneOrUtc(timeZone) }).startOf('day');
  return { startMs: start.toMillis(), endMs: start.plus({ weeks: 1 }).toMillis() };
}

/** The week `n` weeks after `week` (negative: before). */
export function shiftWeek(week: string, n: number): string {
  return DateTime.fromISO(week, { zone: 'UTC' }).plus({ weeks: n }).toISODate() ?? week;
}

/** The calendar date of `ms` in the zone (YYYY-MM-DD): what "today" is for due dates. */
export function localDate(ms: number, timeZone: string): string {
  return DateTime.fromMillis(ms, { zone: zoneOrUtc(timeZone) }).toISODate() ?? '';
}

/**
 * Why a review mark for `week` is refused at `nowMs`, or undefined: marks are for the weeks from
 * REVIEW_MARK_WEEKS_BACK back to next week in the team's zone (the collector and the desktop agree).
 */
export function reviewWeekRefusal(week: string, nowMs: number, timeZone: string): string | undefined {
  const thisWeek = weekOf(nowMs, timeZone);
  const oldest = shiftWeek(thisWeek, -REVIEW_MARK_WEEKS_BACK);
  const newest = shiftWeek(thisWeek, REVIEW_MARK_WEEKS_AHEAD);
  if (week >= oldest && week <= newest) return undefined;
  return `reviewMark.week: a review mark is for a week from ${oldest} to ${newest} (${REVIEW_MARK_WEEKS_BACK} weeks back to next week)`;
}

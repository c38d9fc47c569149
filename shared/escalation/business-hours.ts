import { DateTime } from 'luxon';
import { weekdayNumber } from '../rotation/schema.js';
import type { BusinessHours, TierPolicy } from './schema.js';

/** True when `atMs` falls on a business day (not a holiday) between start (inclusive) and end (exclusive), local time. */
export function inBusinessHours(bh: BusinessHours, atMs: number): boolean {
  const local = DateTime.fromMillis(atMs, { zone: bh.timeZone });
  if (bh.holidays.includes(local.toISODate() ?? '')) return false;
  if (!bh.days.some((d) => weekdayNumber(d) === local.weekday)) return false;
  const hhmm = local.toFormat('HH:mm');
  return hhmm >= bh.start && hhmm < bh.end;
}

/**
 * The ack SLA for a clock that starts at `atMs`: chosen by whether that moment is inside
 * business hours (a page at 16:50 gets the short SLA even though it ends after hours).
 */
export function ackSla(policy: TierPolicy, bh: BusinessHours, atMs: number): number {
  return inBusinessHours(bh, atMs) ? policy.ackSla.businessHours : policy.ackSla.outsideHours;
}

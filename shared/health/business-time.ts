import { DateTime } from 'luxon';
import { weekdayNumber } from '../rotation/schema.js';
import type { BusinessHours } from '../escalation/schema.js';

/**
 * Milliseconds of [startMs, endMs) inside business hours: each local day of the team's zone
 * that is a business day and no holiday contributes its start–end window. Windows are built
 * from local wall times with luxon, so a DST change day is as long as it really is.
 */
export function businessMsBetween(bh: BusinessHours, startMs: number, endMs: number): number {
  if (endMs <= startMs) return 0;
  const [sh, sm] = bh.start.split(':').map(Number);
  const [eh, em] = bh.end.split(':').map(Number);
  const days = new Set(bh.days.map(weekdayNumber));
  const holidays = new Set(bh.holidays);
  let total = 0;
  let day = DateTime.fromMillis(startMs, { zone: bh.timeZone }).startOf('day');
  while (day.toMillis() < endMs) {
    if (days.has(day.weekday) && !holidays.has(day.toISODate() ?? '')) {
      const open = day.set({ hour: sh ?? 0, minute: sm ?? 0 }).toMillis();
      const close = day.set({ hour: eh ?? 0, minute: em ?? 0 }).toMillis();
      total += Math.max(0, Math.min(close, endMs) - Math.max(open, startMs));
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
  return total;
}

/** Milliseconds of [startMs, endMs) outside business hours (nights, weekends, holidays). */
export function offHoursMsBetween(bh: BusinessHours, startMs: number, endMs: number): number {
  if (endMs <= startMs) return 0;
  return endMs - startMs - businessMsBetween(bh, startMs, endMs);
}

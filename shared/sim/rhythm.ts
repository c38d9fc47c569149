/**
 * Daily and weekly rhythm of request volume. Traffic follows the users' local day: a trough
 * around 04:00, a peak around 16:00, weekends scaled per service.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';

/** Night rate as a fraction of the peak rate (peak/night ratio = 1 / NIGHT_FLOOR = 4). */
export const NIGHT_FLOOR = 0.25;
export const PEAK_HOUR = 16;

/** 0..1 multiplier for a local time of day; 1 at PEAK_HOUR, NIGHT_FLOOR twelve hours away. */
export function dailyFactor(localMs: number): number {
  const hour = (((localMs % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  const phase = (2 * Math.PI * (hour - PEAK_HOUR)) / 24;
  return NIGHT_FLOOR + (1 - NIGHT_FLOOR) * (0.5 + 0.5 * Math.cos(phase));
}

/** 1970-01-01 was a Thursday, so day index 2 and 3 (mod 7) are Saturday and Sunday. */
export function isWeekend(localMs: number): boolean {
  const day = Math.floor(localMs / DAY_MS);
  const dow = (((day + 4) % 7) + 7) % 7; // 0 = Sunday
  return dow === 0 || dow === 6;
}

/** Rate multiplier at `utcMs` for a service with the given weekend factor. */
export function rhythmFactor(utcMs: number, tzOffsetMinutes: number, weekendFactor: number): number {
  const local = utcMs + tzOffsetMinutes * MINUTE_MS;
  return dailyFactor(local) * (isWeekend(local) ? weekendFactor : 1);
}

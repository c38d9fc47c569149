import { DateTime } from 'luxon';
import { HOUR_MS } from '../clock.js';

/**
 * The team's calendar for baselines (issue 13): the local hour of day and whether it is a weekend,
 * in `defaults.timeZone`. The same hour on the same kind of day is the comparison, so a Monday is
 * not measured against a Sunday. Cached per UTC hour and zone (rules ask for the same hours every
 * minute); the cache is bounded.
 */
export interface CalendarSlot {
  /** 0..23, local. */
  hour: number;
  weekend: boolean;
}

const CACHE_LIMIT = 20_000;
const cache = new Map<string, CalendarSlot>();

export function calendarSlot(ms: number, timeZone: string): CalendarSlot {
  const hourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
  // Zones with half-hour offsets put a UTC hour across two local hours: key by the minute offset too.
  const key = `${timeZone}|${hourStart}|${Math.floor((ms - hourStart) / (HOUR_MS / 2))}`;
  let slot = cache.get(key);
  if (!slot) {
    const local = DateTime.fromMillis(ms, { zone: timeZone });
    const zoned = local.isValid ? local : DateTime.fromMillis(ms, { zone: 'UTC' });
    slot = { hour: zoned.hour, weekend: zoned.weekday >= 6 };
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, slot);
  }
  return slot;
}

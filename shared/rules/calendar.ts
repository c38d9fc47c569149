import { DateTime } from 'luxon';
import { HOUR_MS } from '../clock.js';

/**
 * The team's calendar for baselines (issue 13): the local hour of day and whether it is a weekend,
 * in `defaults.timeZone`. The same hour on the same kind of day is the comparison, so a Monday is
 * not measured against a Sunday. Cached per UTC quarter hour and zone (rules ask for the same hours every
 * minute); the cache is bounded.
 */
export interface CalendarSlot {
  /** 0..23, local. */
  hour: number;
  weekend: boolean;
}

const CACHE_LIMIT = 20_000;
/** Per zone, by quarter-hour index since the epoch (a number, not a string key: asked every minute). */
const cache = new Map<string, Map<number, CalendarSlot>>();
let cached = 0;

export function calendarSlot(ms: number, timeZone: string): CalendarSlot {
  // Zones with half- and quarter-hour offsets (India +05:30, Nepal +05:45, Chatham +12:45) put a
  // UTC hour across two local hours: key by the quarter hour, the finest offset in use.
  const quarter = Math.floor(ms / (HOUR_MS / 4));
  let zone = cache.get(timeZone);
  if (!zone) {
    zone = new Map();
    cache.set(timeZone, zone);
  }
  let slot = zone.get(quarter);
  if (!slot) {
    const local = DateTime.fromMillis(ms, { zone: timeZone });
    const zoned = local.isValid ? local : DateTime.fromMillis(ms, { zone: 'UTC' });
    slot = { hour: zoned.hour, weekend: zoned.weekday >= 6 };
    if (cached >= CACHE_LIMIT) {
      cache.clear();
      cached = 0;
      zone = new Map();
      cache.set(timeZone, zone);
    }
    zone.set(quarter, slot);
    cached++;
  }
  return slot;
}

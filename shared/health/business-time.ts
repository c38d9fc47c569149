import { DateTime } from 'luxon';
import { weekdayNumber } from '../rotation/schema.js';
import type { BusinessHours } from '../escalation/schema.js';

/** One business-hours window [openMs, closeMs) of one local day. */
export type Window = readonly [number, number];

/**
 * The business-hours windows of every local day of the team's zone touching [startMs, endMs)
 * that is a business day and no holiday, in order. Built from local wall times with luxon, so a
 * DST change day is as long as it really is. Computed once per query; overlaps are arithmetic.
 */
export function businessWindows(bh: BusinessHours, startMs: number, endMs: number): Window[] {
  const out: Window[] = [];
  if (endMs <= startMs) return out;
  const [sh, sm] = bh.start.split(':').map(Number);
  const [eh, em] = bh.end.split(':').map(Number);
  const days = new Set(bh.days.map(weekdayNumber));
  const holidays = new Set(bh.holidays);
  let day = DateTime.fromMillis(startMs, { zone: bh.timeZone }).startOf('day');
  while (day.toMillis() < endMs) {
    if (days.has(day.weekday) && !holidays.has(day.toISODate() ?? '')) {
      const open = day.set({ hour: sh ?? 0, minute: sm ?? 0 }).toMillis();
      const close = day.set({ hour: eh ?? 0, minute: em ?? 0 }).toMillis();
      if (close > open) out.push([open, close]);
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
  return out;
}

/** Milliseconds of [startMs, endMs) inside `windows` (sorted, disjoint). */
export function overlapMs(windows: readonly Window[], startMs: number, endMs: number): number {
  // The first window that may overlap: binary search on its close.
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((windows[mid]?.[1] ?? Infinity) <= startMs) lo = mid + 1;
    else hi = mid;
  }
  let total = 0;
  for (let i = lo; i < windows.length; i++) {
    const w = windows[i];
    if (!w || w[0] >= endMs) break;
    total += Math.max(0, Math.min(w[1], endMs) - Math.max(w[0], startMs));
  }
  return total;
}

/** Milliseconds of [startMs, endMs) inside business hours. */
export function businessMsBetween(bh: BusinessHours, startMs: number, endMs: number): number {
  return overlapMs(businessWindows(bh, startMs, endMs), startMs, endMs);
}

/** Milliseconds of [startMs, endMs) outside business hours (nights, weekends, holidays). */
export function offHoursMsBetween(bh: BusinessHours, startMs: number, endMs: number): number {
  if (endMs <= startMs) return 0;
  return endMs - startMs - businessMsBetween(bh, startMs, endMs);
}

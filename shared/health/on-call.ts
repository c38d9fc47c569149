import { HOUR_MS } from '../clock.js';
import type { BusinessHours } from '../escalation/schema.js';
import { roleShifts } from '../rotation/role-shifts.js';
import type { RotationConfig } from '../rotation/schema.js';
import { offHoursMsBetween } from './business-time.js';

export interface OnCallTime {
  /** Milliseconds holding primary or secondary (both at once counted once). */
  onCallMs: number;
  /** Of those, outside business hours. */
  offHoursMs: number;
}

/**
 * On-call time per person over [fromMs, toMs) from the rotation (roster, swaps, overrides), the
 * basis of on-call pay: each person's role pieces merged into one set of intervals, then each
 * interval split into business and off hours in the team's zone (holidays are off hours).
 */
export function onCallTime(
  rotation: RotationConfig | undefined,
  bh: BusinessHours,
  fromMs: number,
  toMs: number,
): Map<string, OnCallTime> {
  const out = new Map<string, OnCallTime>();
  if (!rotation || toMs <= fromMs) return out;
  const byUser = new Map<string, [number, number][]>();
  for (const p of roleShifts(rotation, fromMs, toMs)) {
    const list = byUser.get(p.user) ?? [];
    list.push([p.startMs, p.endMs]);
    byUser.set(p.user, list);
  }
  for (const [user, intervals] of byUser) {
    intervals.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [s, e] of intervals) {
      const last = merged[merged.length - 1];
      if (last && s <= last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    let onCallMs = 0;
    let offHoursMs = 0;
    for (const [s, e] of merged) {
      onCallMs += e - s;
      offHoursMs += offHoursMsBetween(bh, s, e);
    }
    out.set(user, { onCallMs, offHoursMs });
  }
  return out;
}

/** Hours to two decimals (36 s steps): what a pay sheet shows. */
export function toHours(ms: number): number {
  return Math.round((ms / HOUR_MS) * 100) / 100;
}

import { HOUR_MS } from '../clock.js';
import type { BusinessHours } from '../escalation/schema.js';
import { roleShifts } from '../rotation/role-shifts.js';
import type { RotationConfig } from '../rotation/schema.js';
import { businessWindows, overlapMs, type Window } from './business-time.js';
import { mergeIntervalsByKey } from './intervals.js';

export interface OnCallTime {
  /** Milliseconds holding primary or secondary (both at once counted once). */
  onCallMs: number;
  /** Of those, outside business hours. */
  offHoursMs: number;
}

/**
 * Who held a role when over a query's whole range, and its business windows: computed once
 * (rotation and zone arithmetic is the costly part), then clipped to each week.
 */
export interface OnCallPlan {
  /** Per person, their role pieces merged into disjoint intervals, in order. */
  intervals: Map<string, Window[]>;
  /** Business-hours windows over [fromMs, toMs). */
  windows: Window[];
  fromMs: number;
  toMs: number;
}

export function onCallPlan(
  rotation: RotationConfig | undefined,
  bh: BusinessHours,
  fromMs: number,
  toMs: number,
): OnCallPlan {
  const windows = businessWindows(bh, fromMs, toMs);
  if (!rotation || toMs <= fromMs) return { intervals: new Map(), windows, fromMs, toMs };
  const intervals = mergeIntervalsByKey(
    roleShifts(rotation, fromMs, toMs).map((p) => [p.user, p.startMs, p.endMs] as const),
  );
  return { intervals, windows, fromMs, toMs };
}

/**
 * On-call time per person over [fromMs, toMs) (inside the plan's range), the basis of on-call
 * pay: each person's intervals clipped to the range, split into business and off hours in the
 * team's zone (holidays are off hours).
 */
export function onCallTimeIn(plan: OnCallPlan, fromMs: number, toMs: number): Map<string, OnCallTime> {
  const out = new Map<string, OnCallTime>();
  for (const [user, intervals] of plan.intervals) {
    let onCallMs = 0;
    let offHoursMs = 0;
    for (const [s0, e0] of intervals) {
      const s = Math.max(s0, fromMs);
      const e = Math.min(e0, toMs);
      if (e <= s) continue;
      onCallMs += e - s;
      offHoursMs += e - s - overlapMs(plan.windows, s, e);
    }
    if (onCallMs > 0) out.set(user, { onCallMs, offHoursMs });
  }
  return out;
}

/** On-call time per person over [fromMs, toMs) from the rotation (roster, swaps, overrides). */
export function onCallTime(
  rotation: RotationConfig | undefined,
  bh: BusinessHours,
  fromMs: number,
  toMs: number,
): Map<string, OnCallTime> {
  return onCallTimeIn(onCallPlan(rotation, bh, fromMs, toMs), fromMs, toMs);
}

/** Hours to two decimals (36 s steps): what a pay sheet shows. */
export function toHours(ms: number): number {
  return Math.round((ms / HOUR_MS) * 100) / 100;
}

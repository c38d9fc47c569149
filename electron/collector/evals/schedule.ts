import { DateTime } from 'luxon';

export type Schedule = { kind: 'interval'; everyMs: number } | { kind: 'daily'; hour: number; minute: number };

/** "daily" alone: 03:00 in the team's time zone (results are in before the working day, off peak). */
export const DEFAULT_DAILY_TIME = { hour: 3, minute: 0 } as const;

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses a schedule already validated by the config schema (`EvalSchedule`); throws on anything else. */
export function parseSchedule(s: string): Schedule {
  if (s === 'daily') return { kind: 'daily', ...DEFAULT_DAILY_TIME };
  const daily = /^daily@(\d{2}):(\d{2})$/.exec(s);
  if (daily) return { kind: 'daily', hour: Number(daily[1]), minute: Number(daily[2]) };
  const every = /^(\d+)(ms|s|m|h|d)$/.exec(s);
  if (every) return { kind: 'interval', everyMs: Number(every[1]) * UNIT_MS[every[2] as keyof typeof UNIT_MS] };
  throw new Error(`invalid schedule "${s}"`);
}

/** The first daily slot strictly after `afterMs`, at wall-clock hour:minute in `zone` (DST-correct via luxon). */
export function nextDaily(hour: number, minute: number, afterMs: number, zone: string): number {
  const after = DateTime.fromMillis(afterMs, { zone });
  let slot = after.set({ hour, minute, second: 0, millisecond: 0 });
  if (slot.toMillis() <= afterMs) slot = slot.plus({ days: 1 }).set({ hour, minute, second: 0, millisecond: 0 });
  return slot.toMillis();
}

/** When a job with no history (or a changed schedule) first runs: intervals at once, daily at the next slot. */
export function firstDue(schedule: Schedule, now: number, zone: string): number {
  return schedule.kind === 'interval' ? now : nextDaily(schedule.hour, schedule.minute, now, zone);
}

/**
 * The slot after the one due at `dueAt`. Missed slots (the collector was down, the laptop slept)
 * are not replayed: one run catches up, then the schedule continues from now.
 */
export function nextDue(schedule: Schedule, dueAt: number, now: number, zone: string): number {
  if (schedule.kind === 'daily') return nextDaily(schedule.hour, schedule.minute, Math.max(dueAt, now), zone);
  const next = dueAt + schedule.everyMs;
  return next > now ? next : now + schedule.everyMs;
}

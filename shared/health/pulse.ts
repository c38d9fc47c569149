import { DateTime } from 'luxon';
import { toIso } from '../clock.js';
import { PULSE_COMMENTS_PER_QUARTER, type PulseQuarter } from '../protocol/health.js';
import { roleShifts } from '../rotation/role-shifts.js';
import type { RotationConfig } from '../rotation/schema.js';
import type { Page } from './pages.js';

/** One stored fatigue pulse answer. */
export interface PulseAnswer {
  user: string;
  shiftEndMs: number;
  score: number;
  comment?: string | undefined;
}

/** Quarters the fatigue pulse trend covers, whatever range was asked (a trend needs a year). */
export const PULSE_TREND_QUARTERS = 4;

/** Start of the pulse trend ending at `toMs`: the start of the quarter PULSE_TREND_QUARTERS - 1 before `toMs`'s. */
export function pulseTrendFrom(toMs: number, timeZone: string): number {
  return DateTime.fromMillis(toMs - 1, { zone: timeZone })
    .startOf('quarter')
    .minus({ quarters: PULSE_TREND_QUARTERS - 1 })
    .toMillis();
}

/**
 * Pulse answers and pages per calendar quarter (in `timeZone`) over the quarters touching
 * [fromMs, toMs); answers count in the quarter their shift ended in.
 */
export function pulseQuarters(
  answers: readonly PulseAnswer[],
  pages: readonly Page[],
  fromMs: number,
  toMs: number,
  timeZone: string,
): PulseQuarter[] {
  const out: PulseQuarter[] = [];
  let q = DateTime.fromMillis(fromMs, { zone: timeZone }).startOf('quarter');
  while (q.toMillis() < toMs) {
    const next = q.plus({ quarters: 1 });
    const lo = Math.max(q.toMillis(), fromMs);
    const hi = Math.min(next.toMillis(), toMs);
    const inQuarter = answers.filter((a) => a.shiftEndMs >= lo && a.shiftEndMs < hi);
    const scores = inQuarter.map((a) => a.score);
    const comments = inQuarter
      .filter((a) => a.comment !== undefined && a.comment !== '')
      .sort((a, b) => b.shiftEndMs - a.shiftEndMs)
      .slice(0, PULSE_COMMENTS_PER_QUARTER)
      .map((a) => ({ shiftEnd: toIso(a.shiftEndMs), score: a.score, comment: a.comment ?? '' }));
    out.push({
      quarter: `${q.year}-Q${q.quarter}`,
      from: toIso(lo),
      to: toIso(hi),
      responses: scores.length,
      average: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null,
      pages: pages.filter((p) => p.startMs >= lo && p.startMs < hi).length,
      comments,
    });
    q = next;
  }
  return out;
}

/** A pulse may be answered this long after its shift ended (a laptop offline for the weekend, a holiday). */
export const PULSE_MAX_AGE_MS = 14 * 24 * 3_600_000;
/** … and not for a shift that ends further ahead than this (clock skew between desktop and collector). */
export const PULSE_MAX_AHEAD_MS = 3_600_000;

/** Why a pulse for a shift ending at `shiftEndMs` is refused at `nowMs`, or undefined. */
export function pulseRefusal(shiftEndMs: number, nowMs: number): string | undefined {
  if (shiftEndMs > nowMs + PULSE_MAX_AHEAD_MS) return 'pulse.shiftEnd: that shift has not ended yet';
  if (nowMs - shiftEndMs > PULSE_MAX_AGE_MS) {
    return `pulse.shiftEnd: a pulse is answered within ${PULSE_MAX_AGE_MS / 86_400_000} days of the shift's end`;
  }
  return undefined;
}

/** Rotation pieces looked at around a claimed shift end (a weekly shift, plus a margin). */
const SHIFT_LOOK_MS = 8 * 24 * 3_600_000;

/**
 * Whether `user` held a role that ended at `shiftEndMs` in the rotation (overrides and swaps
 * included): a pulse is about one of the person's own shifts, not an arbitrary instant.
 */
export function isShiftEnd(rotation: RotationConfig, user: string, shiftEndMs: number): boolean {
  const hi = shiftEndMs + SHIFT_LOOK_MS;
  return roleShifts(rotation, shiftEndMs - SHIFT_LOOK_MS, hi).some(
    (p) => p.user === user && p.endMs === shiftEndMs && p.endMs < hi,
  );
}

import { DateTime } from 'luxon';
import { toIso } from '../clock.js';
import type { PulseQuarter } from '../protocol/health.js';
import type { Page } from './pages.js';

/** One stored fatigue pulse answer. */
export interface PulseAnswer {
  user: string;
  shiftEndMs: number;
  score: number;
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
    const scores = answers.filter((a) => a.shiftEndMs >= lo && a.shiftEndMs < hi).map((a) => a.score);
    out.push({
      quarter: `${q.year}-Q${q.quarter}`,
      from: toIso(lo),
      to: toIso(hi),
      responses: scores.length,
      average: scores.length ? Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 100) / 100 : null,
      pages: pages.filter((p) => p.startMs >= lo && p.startMs < hi).length,
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

import { DateTime } from 'luxon';
import { handoffAt, weekIndex } from '../rotation/rotation.js';
import type { RotationConfig } from '../rotation/schema.js';

export interface WeekRange {
  fromMs: number;
  toMs: number;
}

/**
 * The weeks covering [fromMs, toMs), each clipped to it: rotation weeks (handoff to handoff,
 * DST-correct) when a rotation is configured, else ISO weeks (Monday 00:00) in `timeZone`.
 */
export function healthWeeks(
  fromMs: number,
  toMs: number,
  rotation: RotationConfig | undefined,
  timeZone: string,
): WeekRange[] {
  const out: WeekRange[] = [];
  if (rotation) {
    for (let k = weekIndex(rotation, fromMs); ; k++) {
      const start = handoffAt(rotation, k);
      if (start >= toMs) break;
      const end = handoffAt(rotation, k + 1);
      out.push({ fromMs: Math.max(start, fromMs), toMs: Math.min(end, toMs) });
    }
    return out;
  }
  let week = DateTime.fromMillis(fromMs, { zone: timeZone }).startOf('week');
  while (week.toMillis() < toMs) {
    const next = week.plus({ weeks: 1 });
    out.push({ fromMs: Math.max(week.toMillis(), fromMs), toMs: Math.min(next.toMillis(), toMs) });
    week = next;
  }
  return out;
}

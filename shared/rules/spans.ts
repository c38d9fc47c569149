import { MINUTE_MS } from '../clock.js';
import type { MinutePoint, ScopeHistory } from '../rollup/history.js';

/**
 * Sums over trailing spans, for the rules whose window widens when traffic is low: `out[L]`
 * holds the totals of `pick` over the minutes in (minute - L min, minute], for L = 0..maxMinutes
 * (`out[0]` is all zeros). One backward walk over the minute ring, so asking for every span
 * length costs no more than asking for the longest.
 */
export function trailingSums(
  h: ScopeHistory,
  minute: number,
  maxMinutes: number,
  width: number,
  pick: (p: MinutePoint, into: number[]) => void,
): number[][] {
  const per: number[][] = Array.from({ length: maxMinutes + 1 }, () => new Array<number>(width).fill(0));
  const from = minute - (maxMinutes - 1) * MINUTE_MS;
  for (let i = h.minutes.length - 1; i >= 0; i--) {
    const p = h.minutes[i];
    if (!p || p.minute < from) break;
    if (p.minute > minute) continue;
    const slot = per[(minute - p.minute) / MINUTE_MS + 1];
    if (slot) pick(p, slot);
  }
  // Prefix sums: per[L] becomes the totals of the newest L minutes.
  for (let L = 1; L <= maxMinutes; L++) {
    const cur = per[L];
    const prev = per[L - 1];
    if (!cur || !prev) continue;
    for (let j = 0; j < width; j++) cur[j] = (cur[j] ?? 0) + (prev[j] ?? 0);
  }
  return per;
}

/** Totals of the minutes in (minute - to min, minute - from min]: the part of span `to` older than span `from`. */
export function between(sums: readonly number[][], from: number, to: number, j: number): number {
  return (sums[to]?.[j] ?? 0) - (sums[from]?.[j] ?? 0);
}

/** Whole minutes in `ms`, at least 1. */
export function minutesOf(ms: number): number {
  return Math.max(1, Math.round(ms / MINUTE_MS));
}

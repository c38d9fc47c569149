import { MINUTE_MS } from '../clock.js';
import type { MinutePoint, ScopeHistory } from '../rollup/history.js';

/**
 * Sums over trailing spans, for the rules whose window widens when traffic is low: `at(L, j)`
 * is the total of column `j` of `pick` over the minutes in (minute - L min, minute], for
 * L = 0..maxMinutes (L = 0, and any L beyond, is 0). One backward walk over the minute ring, so
 * asking for every span length costs no more than asking for the longest; one flat array, not
 * an array per span (this runs for every series every minute).
 */
export function trailingSums(
  h: ScopeHistory,
  minute: number,
  maxMinutes: number,
  width: number,
  pick: (p: MinutePoint, into: Float64Array, at: number) => void,
): TrailingSums {
  const data = new Float64Array((maxMinutes + 1) * width);
  const from = minute - (maxMinutes - 1) * MINUTE_MS;
  for (let i = h.minutes.length - 1; i >= 0; i--) {
    const p = h.minutes[i];
    if (!p || p.minute < from) break;
    if (p.minute > minute) continue;
    const L = (minute - p.minute) / MINUTE_MS + 1;
    if (Number.isInteger(L) && L <= maxMinutes) pick(p, data, L * width);
  }
  // Prefix sums: row L becomes the totals of the newest L minutes.
  for (let i = width; i < data.length; i++) data[i] = (data[i] ?? 0) + (data[i - width] ?? 0);
  return new TrailingSums(width, data);
}

export class TrailingSums {
  constructor(
    private readonly width: number,
    private readonly data: Float64Array,
  ) {}

  /** Column `j` over the newest `span` minutes (0 beyond the longest span). */
  at(span: number, j: number): number {
    return span >= 0 && j < this.width ? (this.data[span * this.width + j] ?? 0) : 0;
  }

  /** Column `j` over the minutes in (minute - to min, minute - from min]: the part of span `to` older than span `from`. */
  between(from: number, to: number, j: number): number {
    return this.at(to, j) - this.at(from, j);
  }
}

/** Whole minutes in `ms`, at least 1. */
export function minutesOf(ms: number): number {
  return Math.max(1, Math.round(ms / MINUTE_MS));
}

import { MINUTE_MS } from '../clock.js';

/** The per-minute counts a rule needs from one rollup series (one service/provider/model). */
export interface MinuteCounts {
  /** Start of the event-time minute, epoch ms. */
  minute: number;
  count: number;
  errors: number;
}

export interface WindowTotals {
  samples: number;
  errors: number;
}

/**
 * Sums the minutes in (end - windowMs, end], i.e. the `windowMs / 1 min` minutes ending with the
 * minute that starts at `end`. Minutes with no rollup row count as zero samples.
 */
export function sumWindow(minutes: readonly MinuteCounts[], end: number, windowMs: number): WindowTotals {
  const from = end - windowMs + MINUTE_MS;
  let samples = 0;
  let errors = 0;
  for (const m of minutes) {
    if (m.minute >= from && m.minute <= end) {
      samples += m.count;
      errors += m.errors;
    }
  }
  return { samples, errors };
}

/** Key of one rollup series. */
export interface SeriesKey {
  service: string;
  provider: string;
  model: string;
}

export function seriesKeyString(k: SeriesKey): string {
  return JSON.stringify([k.service, k.provider, k.model]);
}

export function parseSeriesKey(s: string): SeriesKey {
  const [service, provider, model] = JSON.parse(s) as [string, string, string];
  return { service, provider, model };
}

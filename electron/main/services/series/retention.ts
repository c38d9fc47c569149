import { DAY_MS, HOUR_MS } from '../../../../shared/clock.js';

/** How the chart cache keeps rollups: minutes for the recent past, hours beyond, nothing past retention. */
export interface ChartRetention {
  /**
   * Minute rows newer than this stay minutes (brief: 48 h). One hour short of the collector's own
   * 48 h minute window, so every minute this cache asks for is still a minute on the collector.
   */
  minuteMs: number;
  /** Nothing older than this is kept (field brief: 30 days). */
  totalMs: number;
}

export const DEFAULT_CHART_RETENTION: ChartRetention = { minuteMs: 47 * HOUR_MS, totalMs: 30 * DAY_MS };

export const MINUTE_RES = 60_000;
export const HOUR_RES = HOUR_MS;

/** Start of the first hour kept as minutes: everything before it is hourly. Hour-aligned so compaction merges whole hours. */
export function minuteBoundary(now: number, r: ChartRetention): number {
  return Math.floor((now - r.minuteMs) / HOUR_MS) * HOUR_MS;
}

/** Oldest bucket start kept at all. */
export function retentionStart(now: number, r: ChartRetention): number {
  return Math.floor((now - r.totalMs) / HOUR_MS) * HOUR_MS;
}

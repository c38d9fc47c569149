import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';

/** How rule summaries print numbers: "4.1 s", "870 ms", "$12.40", "31.2%", "15 min". */

export function fmtLatency(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function fmtUsd(usd: number): string {
  return usd >= 100 ? `$${usd.toFixed(0)}` : usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}

export function fmtPct(fraction: number): string {
  return `${(100 * fraction).toFixed(1)}%`;
}

export function fmtDuration(ms: number): string {
  if (ms % DAY_MS === 0 && ms >= DAY_MS) return `${ms / DAY_MS} d`;
  if (ms % HOUR_MS === 0 && ms >= HOUR_MS) return `${ms / HOUR_MS} h`;
  return `${Math.round(ms / MINUTE_MS)} min`;
}

import { MAX_RESPONSE_POINTS } from '../../../shared/protocol/series.js';

/** How many series an answer over [from, to) at `stepMs` may carry: `limit`, less if the points budget needs it. */
export function seriesBudget(limit: number, from: number, to: number, stepMs: number): number {
  const points = Math.max(1, Math.ceil((to - from) / stepMs));
  return Math.max(1, Math.min(limit, Math.floor(MAX_RESPONSE_POINTS / points)));
}

/**
 * The `limit` keys with the most volume (ties: the smaller key, so answers are stable), or
 * undefined when all of them fit.
 */
export function topKeys(volume: ReadonlyMap<string, number>, limit: number): Set<string> | undefined {
  if (volume.size <= limit) return undefined;
  const ranked = [...volume].sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
  return new Set(ranked.slice(0, limit).map(([k]) => k));
}

import type { Agg } from '../rollup/agg.js';
import type { ScopeHistory } from '../rollup/history.js';

/** The Agg fields a rate-shift rule counts: [hits, the rest of the trials]. */
export type CusumCounts = readonly ['retrievalHits' | 'feedbackDown', 'retrievalMisses' | 'feedbackUp'];

/** Where a CUSUM walk over the minute ring ends: its statistic and the run of minutes carrying it. */
export interface CusumEnd {
  s: number;
  hits: number;
  total: number;
  /** First minute of the run (undefined while the run is empty). */
  since: number | undefined;
}

/** A walk's state after the ring points before absolute index `next`, kept per history. */
interface Resume extends CusumEnd {
  hit: number;
  miss: number;
  /** Absolute index of the point after the walk's latest reset (or of its first point). */
  fresh: number;
  next: number;
}

/**
 * The one-sided Bernoulli CUSUM (s = max(0, s + step)) over the history's minute ring, oldest
 * first, up to `minute`: each hit adds `hit`, each other trial `miss`. Resumed from the previous
 * minute's walk instead of walked again (rate shifts ask this for every service every minute),
 * and exactly what a fresh walk answers: a walk started later is never above one started
 * earlier (the step is the same and rounding is monotone), so both reset at the earlier walk's
 * latest reset and agree from there on. So the saved state is reused while that reset point is
 * still in the ring and the steps are the same; otherwise the ring is walked again.
 */
export function cusumOverRing(
  h: ScopeHistory,
  minute: number,
  [hitsKey, missesKey]: CusumCounts,
  hit: number,
  miss: number,
): CusumEnd {
  const key = `cusum|${hitsKey}`;
  const first = h.firstIndex;
  const pts = h.minutes;
  let end = pts.length;
  while (end > 0 && (pts[end - 1]?.minute ?? -Infinity) > minute) end--;
  const last = first + end;
  let r = h.scratch.get(key) as Resume | undefined;
  if (!r || r.hit !== hit || r.miss !== miss || r.fresh < first || r.next > last) {
    r = { hit, miss, s: 0, hits: 0, total: 0, since: undefined, fresh: first, next: first };
  }
  for (let i = r.next; i < last; i++) {
    const p = pts[i - first] as Agg;
    const hits = p[hitsKey];
    const total = hits + p[missesKey];
    if (total === 0) continue;
    r.s += hits * hit + (total - hits) * miss;
    if (r.s <= 0) {
      r.s = 0;
      r.hits = 0;
      r.total = 0;
      r.since = undefined;
      r.fresh = i + 1;
      continue;
    }
    if (r.total === 0) r.since = (pts[i - first] as { minute: number }).minute;
    r.hits += hits;
    r.total += total;
  }
  r.next = last;
  h.scratch.set(key, r);
  return { s: r.s, hits: r.hits, total: r.total, since: r.since };
}

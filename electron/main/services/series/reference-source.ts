import { HOUR_MS } from '../../../../shared/clock.js';
import { SketchMerger } from '../../../../shared/series/dense-sketch.js';
import { addTotals, emptyTotals, type HourStat, type ReferenceSource } from '../../../../shared/series/reference.js';
import { scalarToRollup, TIER_1H, TIER_1M, type ChartTables } from './chart-tables.js';

const P95 = 0.95;
/** Spans shorter than this (the rules' windows) are summed from minutes while the cache still has them. */
const MINUTE_SPAN_MS = 6 * HOUR_MS;

/**
 * The chart cache as a reference-line source for one selection: long spans from the hourly tier,
 * a rule's short window from minutes when they are still kept (`minutesFrom` on), else from hours.
 */
export function cacheReferenceSource(
  tables: ChartTables,
  filter: { service: string | null; provider: string | null; model: string | null },
  minutesFrom: number,
): ReferenceSource {
  return {
    totals(from, to) {
      const minutes = to - from < MINUTE_SPAN_MS && from >= minutesFrom;
      const tier = minutes ? TIER_1M : TIER_1H;
      const start = minutes ? from : Math.floor(from / HOUR_MS) * HOUR_MS;
      const t = emptyTotals();
      for (const r of tables.scalars({ tier, from: start, to, ...filter }, true)) addTotals(t, scalarToRollup(r));
      return t;
    },
    hours(from, to, withLatency) {
      const f = { tier: TIER_1H, from, to, ...filter };
      const byHour = new Map<number, { stat: HourStat; sketch: SketchMerger | null }>();
      for (const r of tables.scalars(f, false)) {
        let h = byHour.get(r.t);
        if (!h) {
          h = { stat: { t: r.t, count: 0, costUsd: 0, p95Ms: null }, sketch: withLatency ? new SketchMerger() : null };
          byHour.set(r.t, h);
        }
        h.stat.count += r.count;
        h.stat.costUsd += r.cost_usd;
      }
      if (withLatency) for (const r of tables.sketches(f)) byHour.get(r.t)?.sketch?.add(r.sketch);
      return [...byHour.values()]
        .sort((a, b) => a.stat.t - b.stat.t)
        .map(({ stat, sketch }) => ({ ...stat, p95Ms: sketch ? sketch.quantile(P95) : null }));
    },
  };
}

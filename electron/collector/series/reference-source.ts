import type { DDSketch } from '@datadog/sketches-js';
import { HOUR_MS } from '../../../shared/clock.js';
import { decodeSketch, newSketch } from '../../../shared/rollup/sketch-codec.js';
import { addTotals, emptyTotals, type HourStat, type ReferenceSource } from '../../../shared/series/reference.js';
import type { RollupFilter, SeriesStore } from '../store/series-store.js';

const P95 = 0.95;

/** The collector's rollups (minutes, then the downsampled hours) as a reference-line source for one selection. */
export function storeReferenceSource(store: SeriesStore, filter: RollupFilter): ReferenceSource {
  return {
    totals(from, to) {
      const t = emptyTotals();
      for (const r of store.rollups(from, to, filter, false)) if (r.t < to) addTotals(t, r);
      return t;
    },
    hours(from, to, withLatency) {
      const byHour = new Map<number, { stat: HourStat; sketch: DDSketch | null }>();
      for (const r of store.rollups(from, to, filter, withLatency)) {
        if (r.t >= to) continue;
        const t = Math.floor(r.t / HOUR_MS) * HOUR_MS;
        let h = byHour.get(t);
        if (!h) {
          h = { stat: { t, count: 0, costUsd: 0, p95Ms: null }, sketch: withLatency ? newSketch() : null };
          byHour.set(t, h);
        }
        h.stat.count += r.count;
        h.stat.costUsd += r.costUsd;
        if (h.sketch && r.latency !== '') h.sketch.merge(decodeSketch(r.latency));
      }
      return [...byHour.values()]
        .sort((a, b) => a.stat.t - b.stat.t)
        .map(({ stat, sketch }) => ({
          ...stat,
          p95Ms: sketch && sketch.count > 0 ? sketch.getValueAtQuantile(P95) : null,
        }));
    },
  };
}

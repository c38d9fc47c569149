import { create } from 'zustand';
import type { CachedSeries, Incident, SeriesCatalog, SeriesStep, VigilApi } from '../../../shared/protocol';
import { errorMessage } from '../api/results';
import { RANGE_MS, scaleForStep, seriesName, type ChartRange } from '../lib/chart-format';
import { referenceView, type RefLine } from '../lib/chart-overlays';
import { PANELS, type PanelSpec } from '../lib/chart-panels';

export interface ChartLine {
  name: string;
  /** Scaled for display (e.g. cost per hour), aligned with `xs`. */
  values: (number | null)[];
  /** Rates: the samples each value rests on (shown on hover), aligned with `xs`. */
  counts?: number[];
  /** Cost: requests of a model without a price; with no priced value at all the legend says "unpriced". */
  unpriced?: number;
}

export interface PanelData {
  step: SeriesStep;
  /** Bucket starts in seconds (what uPlot wants). */
  xs: number[];
  lines: ChartLine[];
  /** The rule's lines, in the panel's unit (issue 14). */
  refs: RefLine[];
  /** Output mix: the KL divergence the drift rule sees, and its threshold. */
  kl?: { value: number | null; threshold: number };
}

export type PanelState =
  | { state: 'loading'; data: PanelData | null }
  | { state: 'ready'; data: PanelData }
  | { state: 'error'; data: PanelData | null; error: string };

export interface ChartFilters {
  service: string;
  provider: string;
  model: string;
}

interface ChartsState {
  range: ChartRange;
  filters: ChartFilters;
  catalog: SeriesCatalog | null;
  /** Incidents from the local replica, for the markers on every chart's time axis. */
  incidents: Incident[];
  panels: Record<string, PanelState>;
  /** When the chart cache last synced with the collector. */
  syncedAt: string | null;
  setRange(range: ChartRange): void;
  setFilter(key: keyof ChartFilters, value: string): void;
}

export const useChartsStore = create<ChartsState>()((set) => ({
  range: '6h',
  filters: { service: '', provider: '', model: '' },
  catalog: null,
  incidents: [],
  panels: {},
  syncedAt: null,
  setRange: (range) => set({ range }),
  setFilter: (key, value) => set((s) => ({ filters: { ...s.filters, [key]: value } })),
}));

const STEP_MS: Record<SeriesStep, number> = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000 };

/**
 * Several answers over the same range and step become one panel: one x axis, one line per series.
 * A last bucket that ends after `toMs` is still filling and would read as a dip, so it is dropped;
 * series with no value at all (a service without retrieval) are left out of the legend.
 */
export function toPanelData(spec: PanelSpec, answers: readonly CachedSeries[], toMs = Infinity): PanelData {
  const step = answers[0]?.step ?? '1m';
  const points = answers.find((a) => a.series.length > 0)?.series[0]?.points ?? [];
  const keep = points.filter((p) => p[0] + STEP_MS[step] <= toMs || points.length === 1).length;
  const xs = points.slice(0, keep).map((p) => p[0] / 1000);
  const scale = scaleForStep(spec.kind, step);
  const lines: ChartLine[] = [];
  const refs: RefLine[] = [];
  let kl: PanelData['kl'];
  answers.forEach((answer, i) => {
    const q = spec.queries[i];
    for (const s of answer.series) {
      const values = s.points.slice(0, keep).map((p) => (p[1] === null ? null : p[1] * scale));
      // An unpriced model has no value anywhere, and still belongs in the legend ("unpriced", never $0).
      if (values.every((v) => v === null) && !s.unpriced) continue;
      lines.push({
        name: seriesName(s.labels, q?.name ?? answer.metric),
        values,
        ...(s.counts ? { counts: s.counts.slice(0, keep) } : {}),
        ...(s.unpriced ? { unpriced: s.unpriced } : {}),
      });
    }
    refs.push(...referenceView(answer.reference));
    if (answer.reference?.kl) kl = answer.reference.kl;
  });
  return { step, xs, lines, refs, ...(kl ? { kl } : {}) };
}

let generation = 0;

/** Re-queries every panel from the cache (via the Api) for the current range and filters. */
export async function loadCharts(api: VigilApi, nowMs: number): Promise<void> {
  const gen = ++generation;
  const { range, filters } = useChartsStore.getState();
  // Up to the current minute, not into it: a half-filled bucket reads as a dip in every rate.
  const toMs = Math.floor(nowMs / 60_000) * 60_000;
  const fromMs = toMs - RANGE_MS[range];
  const dims = {
    ...(filters.service ? { service: filters.service } : {}),
    ...(filters.provider ? { provider: filters.provider } : {}),
    ...(filters.model ? { model: filters.model } : {}),
  };
  useChartsStore.setState((s) => ({
    panels: Object.fromEntries(PANELS.map((p) => [p.id, { state: 'loading', data: s.panels[p.id]?.data ?? null }])),
  }));
  void api
    .call('incidents.list', {})
    .then((incidents) => gen === generation && useChartsStore.setState({ incidents }))
    .catch(() => {});
  void api
    .call('series.catalog', {})
    .then((catalog) => gen === generation && useChartsStore.setState({ catalog, syncedAt: catalog.syncedAt ?? null }))
    .catch(() => {});
  await Promise.all(
    PANELS.map(async (spec) => {
      let next: PanelState;
      try {
        const answers = await Promise.all(
          spec.queries.map((q) =>
            api.call('series.query', { metric: q.metric, fromMs, toMs, ...dims, ...(q.by ? { by: q.by } : {}) }),
          ),
        );
        next = { state: 'ready', data: toPanelData(spec, answers, toMs) };
        const syncedAt = answers[0]?.syncedAt;
        if (syncedAt && gen === generation) useChartsStore.setState({ syncedAt });
      } catch (err) {
        next = {
          state: 'error',
          data: useChartsStore.getState().panels[spec.id]?.data ?? null,
          error: errorMessage(err),
        };
      }
      // A newer load (filter changed meanwhile) wins.
      if (gen === generation) useChartsStore.setState((s) => ({ panels: { ...s.panels, [spec.id]: next } }));
    }),
  );
}

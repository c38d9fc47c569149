import type { Alert, SeriesMetric, SeriesStep } from '../../../shared/protocol';

/** The ranges the Charts view offers, newest data on the right. */
export const RANGES = ['1h', '6h', '24h', '7d', '30d'] as const;
export type ChartRange = (typeof RANGES)[number];

const HOUR = 3_600_000;
export const RANGE_MS: Record<ChartRange, number> = {
  '1h': HOUR,
  '6h': 6 * HOUR,
  '24h': 24 * HOUR,
  '7d': 168 * HOUR,
  '30d': 720 * HOUR,
};

const STEP_MS: Record<SeriesStep, number> = { '1m': 60_000, '5m': 300_000, '1h': HOUR };

/** How a panel shows numbers: the unit is part of the panel, so legends read "812 ms", "2.4 %", "$1.20/h". */
export type ValueKind = 'ms' | 'ratio' | 'usdPerHour' | 'perMin' | 'count';

/**
 * Per-bucket sums become rates so a panel reads the same at any step: requests per minute and
 * cost per hour (the field notes reason about "cost rate"), whichever step the range picked.
 */
export function scaleForStep(kind: ValueKind, step: SeriesStep): number {
  const ms = STEP_MS[step];
  if (kind === 'usdPerHour') return HOUR / ms;
  if (kind === 'perMin') return 60_000 / ms;
  return 1;
}

export function formatValue(kind: ValueKind, v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  switch (kind) {
    case 'ms':
      return v >= 10_000
        ? `${(v / 1000).toFixed(1)} s`
        : v >= 1000
          ? `${(v / 1000).toFixed(2)} s`
          : `${Math.round(v)} ms`;
    case 'ratio': {
      const pct = v * 100;
      return `${pct >= 10 || pct === 0 ? pct.toFixed(1) : pct.toFixed(2)} %`;
    }
    case 'usdPerHour':
      return `$${v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v.toFixed(3)}/h`;
    case 'perMin':
      return `${v >= 100 ? Math.round(v) : v.toFixed(1)}/min`;
    case 'count':
      return v >= 1000 ? `${(v / 1000).toFixed(1)}k` : String(Math.round(v));
  }
}

/** Short axis ticks (no unit suffix clutter beyond what is needed to read them). */
export function formatTick(kind: ValueKind, v: number): string {
  switch (kind) {
    case 'ms':
      return v >= 1000 ? `${+(v / 1000).toFixed(1)}s` : `${Math.round(v)}ms`;
    case 'ratio':
      return `${+(v * 100).toFixed(1)}%`;
    case 'usdPerHour':
      return `$${+v.toFixed(v >= 10 ? 0 : 2)}`;
    default:
      return v >= 1000 ? `${+(v / 1000).toFixed(1)}k` : `${+v.toFixed(1)}`;
  }
}

/** The last bucket that has a value (what a legend shows when the cursor is not on the chart). */
export function lastValue(values: readonly (number | null)[]): number | null {
  for (let i = values.length - 1; i >= 0; i--) {
    const v = values[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** A series' legend name from its labels ({model: "gpt-4o"} → "gpt-4o"; {} → the fallback). */
export function seriesName(labels: Record<string, string>, fallback: string): string {
  const values = Object.values(labels);
  return values.length > 0 ? values.join(' · ') : fallback;
}

/** Distinct, readable on the dark surface, and stable by position. */
export const PALETTE = ['#5b9bff', '#f0b43c', '#4cc38a', '#e5484d', '#b3a8e0', '#3fc1c9', '#ff8b5c', '#9ba6b5'];

export interface AlertChartSpec {
  metric: SeriesMetric;
  kind: ValueKind;
  title: string;
}

/** Which series explains an alert: chosen from its rule id (the rule catalog names its signal). */
export function alertChartSpec(alert: Pick<Alert, 'ruleId'>): AlertChartSpec {
  const id = alert.ruleId.toLowerCase();
  if (id.includes('latency')) return { metric: 'latency_p95', kind: 'ms', title: 'p95 latency' };
  if (id.includes('cost')) return { metric: 'cost_usd', kind: 'usdPerHour', title: 'Cost' };
  if (id.includes('retrieval')) return { metric: 'retrieval_hit_rate', kind: 'ratio', title: 'Retrieval hit rate' };
  if (id.includes('feedback')) return { metric: 'negative_feedback_rate', kind: 'ratio', title: 'Negative feedback' };
  if (id.includes('eval')) return { metric: 'eval_accuracy', kind: 'ratio', title: 'Eval accuracy' };
  if (id.includes('drift') || id.includes('output'))
    return { metric: 'output_label_share', kind: 'ratio', title: 'Output mix' };
  if (id.includes('error') || id.includes('provider') || id.includes('novel'))
    return { metric: 'error_rate', kind: 'ratio', title: 'Error rate' };
  return { metric: 'requests', kind: 'perMin', title: 'Requests' };
}

/** The window an alert chart shows: an hour before it fired to 30 min after (or now, if sooner). */
export function alertWindow(firedAtMs: number, nowMs: number): { fromMs: number; toMs: number } {
  const fromMs = firedAtMs - HOUR;
  const toMs = Math.max(fromMs + 15 * 60_000, Math.min(firedAtMs + 30 * 60_000, nowMs));
  return { fromMs, toMs };
}

/** An incident's window: an hour before it fired to 30 min after it resolved (or now, if sooner or still open). */
export function incidentWindow(
  firedAtMs: number,
  resolvedAtMs: number | undefined,
  nowMs: number,
): { fromMs: number; toMs: number } {
  const fromMs = firedAtMs - HOUR;
  const end = resolvedAtMs === undefined ? nowMs : Math.min(resolvedAtMs + 30 * 60_000, nowMs);
  return { fromMs, toMs: Math.max(fromMs + 15 * 60_000, end) };
}

import { DAY_MS, HOUR_MS } from '../clock.js';
import type { ChartRules, ReferenceLine, SeriesMetric, SeriesReference } from '../protocol/series.js';
import { sloFor } from '../rules/latency-p95.js';
import { klDivergence, median } from '../rules/stats.js';

/**
 * The lines a rule compares a charted signal against (issue 14), computed from the same rollups
 * the chart reads, the way each rule computes them, over the chart's selection. Pure: the
 * collector's `GET /v1/series` and the desktop cache's `series.query` both call it, with their
 * own `ReferenceSource`, so a line reads the same live and offline.
 */

/** Sums of the selection over a span. */
export interface SpanTotals {
  count: number;
  costUsd: number;
  retrievalHits: number;
  retrievalMisses: number;
  feedbackUp: number;
  feedbackDown: number;
  outputLabels: Record<string, number>;
}

/** One hour of the selection (every selected key merged); `p95Ms` only when asked for. */
export interface HourStat {
  t: number;
  count: number;
  costUsd: number;
  p95Ms: number | null;
}

export interface ReferenceSource {
  totals(from: number, to: number): SpanTotals;
  /** Whole hours starting in [from, to), merged over the selection, oldest first. */
  hours(from: number, to: number, withLatency: boolean): HourStat[];
}

export interface ReferenceRequest {
  metric: SeriesMetric;
  /** The minute the rule would be evaluating: the end of the chart's range. */
  at: number;
  filter: { service?: string | undefined; provider?: string | undefined; model?: string | undefined };
  /** eval_accuracy: the suites on the chart (each gets its own threshold). */
  suites?: readonly string[];
}

/** A day counts toward the trailing cost average with most of its hours present (as the cost rule does). */
export const COMPLETE_DAY_HOURS = 20;

export function emptyTotals(): SpanTotals {
  return {
    count: 0,
    costUsd: 0,
    retrievalHits: 0,
    retrievalMisses: 0,
    feedbackUp: 0,
    feedbackDown: 0,
    outputLabels: {},
  };
}

/** Adds one rollup-shaped row into running totals. */
export function addTotals(into: SpanTotals, r: SpanTotals): void {
  into.count += r.count;
  into.costUsd += r.costUsd;
  into.retrievalHits += r.retrievalHits;
  into.retrievalMisses += r.retrievalMisses;
  into.feedbackUp += r.feedbackUp;
  into.feedbackDown += r.feedbackDown;
  for (const k in r.outputLabels) into.outputLabels[k] = (into.outputLabels[k] ?? 0) + (r.outputLabels[k] ?? 0);
}

/** Latency: median of the trailing hourly p95s with enough samples (latency-p95's baseline), 2x it, 3x SLO. */
export function latencyLines(
  rule: ChartRules['latencyP95'],
  src: ReferenceSource,
  req: ReferenceRequest,
): ReferenceLine[] {
  const windowStart = req.at - rule.windowMs;
  const p95s = src
    .hours(windowStart - rule.baselineMs, windowStart, true)
    .filter((h) => h.count >= rule.minHourSamples && h.p95Ms !== null)
    .map((h) => h.p95Ms as number);
  const lines: ReferenceLine[] = [];
  const baseline = p95s.length >= rule.minBaselineHours ? median(p95s) : undefined;
  if (baseline !== undefined) {
    lines.push({ label: 'baseline', value: baseline, role: 'baseline' });
    lines.push({ label: `${rule.factor}× baseline`, value: rule.factor * baseline, role: 'threshold' });
  }
  const slo = sloFor(rule.slo, req.filter);
  if (slo !== undefined)
    lines.push({ label: `${rule.sloFactor}× SLO`, value: rule.sloFactor * slo, role: 'threshold' });
  return lines;
}

/**
 * Cost: the trailing daily average (complete UTC days before today, as the cost rule's projection
 * uses) as a rate per hour, and `dailyFactor` times it. The rule compares a projected day with
 * the average day; on an hourly-rate chart that is the same ratio.
 */
export function costLines(
  rule: ChartRules['costAnomaly'],
  src: ReferenceSource,
  req: ReferenceRequest,
): ReferenceLine[] {
  const dayStart = Math.floor(req.at / DAY_MS) * DAY_MS;
  const days = new Map<number, { total: number; hours: number }>();
  for (const h of src.hours(dayStart - rule.trailingDays * DAY_MS, dayStart, false)) {
    const d = Math.floor(h.t / DAY_MS) * DAY_MS;
    const e = days.get(d) ?? { total: 0, hours: 0 };
    e.total += h.costUsd;
    e.hours += 1;
    days.set(d, e);
  }
  const complete = [...days.values()].filter((d) => d.hours >= COMPLETE_DAY_HOURS && d.total > 0);
  if (complete.length === 0) return [];
  const perHour = complete.reduce((a, d) => a + d.total, 0) / complete.length / (DAY_MS / HOUR_MS);
  return [
    { label: `${rule.trailingDays}-day avg`, value: perHour, role: 'baseline' },
    { label: `${rule.dailyFactor}× avg`, value: rule.dailyFactor * perHour, role: 'threshold' },
  ];
}

/** Retrieval / feedback: the trailing proportion before the window (rate-shift's baseline) and baseline ∓ margin. */
export function rateShiftLines(
  rule: ChartRules['retrievalDrop'],
  src: ReferenceSource,
  req: ReferenceRequest,
  of: (t: SpanTotals) => { hits: number; total: number },
  direction: 'below' | 'above',
): ReferenceLine[] {
  const windowStart = req.at - rule.windowMs;
  const base = of(src.totals(windowStart - rule.baselineMs, windowStart));
  if (base.total < rule.minBaselineSamples) return [];
  const b = base.hits / base.total;
  const edge = direction === 'below' ? b - rule.margin : b + rule.margin;
  const lines: ReferenceLine[] = [{ label: 'baseline', value: b, role: 'baseline' }];
  if (edge > 0 && edge < 1)
    lines.push({
      label: `baseline ${direction === 'below' ? '−' : '+'} ${Math.round(rule.margin * 100)} pts`,
      value: edge,
      role: 'threshold',
    });
  return lines;
}

/** Output mix: KL(last window ‖ trailing reference before it), as output-drift computes it. */
export function outputKl(rule: ChartRules['outputDrift'], src: ReferenceSource, req: ReferenceRequest): number | null {
  const start = req.at - rule.windowMs;
  const now = src.totals(start, req.at).outputLabels;
  const ref = src.totals(start - rule.referenceMs, start).outputLabels;
  if (Object.keys(now).length === 0 || Object.keys(ref).length === 0) return null;
  return klDivergence(now, ref, rule.alpha);
}

/** The reference for one chart, or undefined when no enabled rule watches the metric. */
export function seriesReference(
  rules: ChartRules,
  src: ReferenceSource,
  req: ReferenceRequest,
): SeriesReference | undefined {
  const at = req.at;
  switch (req.metric) {
    case 'latency_p95':
      return rules.latencyP95.enabled ? { at, lines: latencyLines(rules.latencyP95, src, req) } : undefined;
    case 'error_rate':
      return rules.errorRate.enabled
        ? { at, lines: [{ label: 'threshold', value: rules.errorRate.threshold, role: 'threshold' }] }
        : undefined;
    case 'cost_usd':
      return rules.costAnomaly.enabled ? { at, lines: costLines(rules.costAnomaly, src, req) } : undefined;
    case 'retrieval_hit_rate':
      return rules.retrievalDrop.enabled
        ? {
            at,
            lines: rateShiftLines(
              rules.retrievalDrop,
              src,
              req,
              (t) => ({ hits: t.retrievalHits, total: t.retrievalHits + t.retrievalMisses }),
              'below',
            ),
          }
        : undefined;
    case 'negative_feedback_rate':
      return rules.negativeFeedback.enabled
        ? {
            at,
            lines: rateShiftLines(
              rules.negativeFeedback,
              src,
              req,
              (t) => ({ hits: t.feedbackDown, total: t.feedbackDown + t.feedbackUp }),
              'above',
            ),
          }
        : undefined;
    case 'eval_accuracy': {
      if (!rules.evalAccuracy.enabled) return undefined;
      const ev = rules.evalAccuracy;
      return {
        at,
        lines: (req.suites ?? []).map((suite) => ({
          label: `${suite} threshold`,
          value: ev.thresholds[suite] ?? ev.threshold,
          role: 'threshold' as const,
          labels: { suite },
        })),
      };
    }
    case 'output_label_share':
      return rules.outputDrift.enabled
        ? {
            at,
            lines: [],
            kl: { value: outputKl(rules.outputDrift, src, req), threshold: rules.outputDrift.threshold },
          }
        : undefined;
    default:
      return undefined;
  }
}

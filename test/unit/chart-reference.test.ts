import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { defaultCollectorConfig, parseCollectorConfig } from '../../shared/config/collector-config.js';
import { ChartRules, RollupsPage, SeriesResponse, type RollupRow } from '../../shared/protocol/series.js';
import { rollupSeries } from '../../shared/series/aggregate.js';
import { chartRulesFromConfig } from '../../shared/series/chart-rules.js';
import { zeroRollupCounts } from '../../shared/series/rollup-counts.js';
import {
  costLines,
  emptyTotals,
  latencyLines,
  outputKl,
  rateShiftLines,
  seriesReference,
  type HourStat,
  type ReferenceSource,
  type SpanTotals,
} from '../../shared/series/reference.js';
import { MAX_POOL_BUCKETS, MIN_RATE_SAMPLES, pooledRates } from '../../shared/series/smoothing.js';
import { decimate } from '../../renderer/src/lib/chart-decimate.js';
import { incidentMarkers, yRangeWith } from '../../renderer/src/lib/chart-overlays.js';
import type { Incident } from '../../shared/protocol/incident.js';

/**
 * Issue 14: the lines a rule compares a chart against (from the configured thresholds, computed
 * as the rules compute them), pooled rates over few samples, unpriced cost.
 */
const AT = Date.UTC(2026, 11, 6, 12, 0);
const RULES = chartRulesFromConfig(defaultCollectorConfig().rules);

function source(
  hours: HourStat[],
  totals: (from: number, to: number) => SpanTotals = () => emptyTotals(),
): ReferenceSource {
  return {
    totals,
    hours: (from, to) => hours.filter((h) => h.t >= from && h.t < to),
  };
}

function row(t: number, over: Partial<RollupRow> = {}): RollupRow {
  return {
    t,
    service: 'chat',
    provider: 'openai',
    model: 'gpt-4o',
    ...zeroRollupCounts(),
    latency: '',
    ...over,
  };
}

describe('chart rules come from the collector config', () => {
  it('carries configured thresholds, not defaults, and validates as ChartRules', () => {
    const parsed = parseCollectorConfig({
      rules: {
        errorRate: { threshold: 0.02 },
        latencyP95: { factor: 2.5, slo: [{ service: 'chat', p95: '800ms' }] },
        evalAccuracy: { threshold: 0.6, thresholds: { 'qa-suite': 0.9 } },
        outputDrift: { threshold: 0.2 },
      },
    });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const rules = ChartRules.parse(chartRulesFromConfig(parsed.config.rules));
    expect(rules.errorRate.threshold).toBe(0.02);
    expect(rules.latencyP95.factor).toBe(2.5);
    expect(rules.latencyP95.slo).toEqual([{ service: 'chat', p95: 800 }]);
    const src = source([]);
    expect(seriesReference(rules, src, { metric: 'error_rate', at: AT, filter: {} })?.lines).toEqual([
      { label: 'threshold', value: 0.02, role: 'threshold' },
    ]);
    const evals = seriesReference(rules, src, {
      metric: 'eval_accuracy',
      at: AT,
      filter: {},
      suites: ['qa-suite', 'other'],
    });
    expect(evals?.lines.map((l) => [l.labels?.['suite'], l.value])).toEqual([
      ['qa-suite', 0.9],
      ['other', 0.6],
    ]);
    // 3x SLO appears for the service the SLO names, not for another.
    const chat = seriesReference(rules, src, { metric: 'latency_p95', at: AT, filter: { service: 'chat' } });
    expect(chat?.lines).toEqual([{ label: '3× SLO', value: 2400, role: 'threshold' }]);
    expect(seriesReference(rules, src, { metric: 'latency_p95', at: AT, filter: { service: 'x' } })?.lines).toEqual([]);
  });

  it('a disabled rule draws nothing; an unwatched metric has no reference', () => {
    const off = { ...RULES, errorRate: { ...RULES.errorRate, enabled: false } };
    expect(seriesReference(off, source([]), { metric: 'error_rate', at: AT, filter: {} })).toBeUndefined();
    expect(seriesReference(RULES, source([]), { metric: 'requests', at: AT, filter: {} })).toBeUndefined();
  });

  it('rejects malformed rules on the wire (a page with them fails validation)', () => {
    const bad = { ...RULES, errorRate: { enabled: true, threshold: 5 } };
    expect(RollupsPage.safeParse({ resolution: '1m', rows: [], evals: [], rules: bad }).success).toBe(false);
    expect(
      SeriesResponse.safeParse({
        metric: 'error_rate',
        step: '1m',
        series: [],
        reference: { at: AT, lines: [{ label: '', value: 1, role: 'threshold' }] },
      }).success,
    ).toBe(false);
  });
});

describe('latency baseline (latency-p95: median of trailing hourly p95s with enough samples)', () => {
  const rule = RULES.latencyP95;
  const windowStart = AT - rule.windowMs;
  const hoursBefore = (n: number, p95: (i: number) => number, count = 100): HourStat[] =>
    Array.from({ length: n }, (_, i) => ({
      t: Math.floor(windowStart / HOUR_MS) * HOUR_MS - (i + 1) * HOUR_MS,
      count,
      costUsd: 0,
      p95Ms: p95(i),
    }));

  it('is the median, and the threshold is factor × baseline', () => {
    const lines = latencyLines(rule, source(hoursBefore(30, (i) => 100 + i)), {
      metric: 'latency_p95',
      at: AT,
      filter: {},
    });
    // The 24 h before the window's start hold 23 whole hours (10:00 back to 12:00 the day before): median of 100..122.
    expect(lines).toEqual([
      { label: 'baseline', value: 111, role: 'baseline' },
      { label: '2× baseline', value: 222, role: 'threshold' },
    ]);
  });

  it('ignores thin hours, and draws no baseline under minBaselineHours', () => {
    const thin = hoursBefore(24, () => 5000, rule.minHourSamples - 1);
    const ok = hoursBefore(rule.minBaselineHours - 1, () => 100);
    expect(latencyLines(rule, source([...thin, ...ok]), { metric: 'latency_p95', at: AT, filter: {} })).toEqual([]);
  });

  it('property: the baseline lies between the smallest and largest eligible p95', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 6, maxLength: 24 }), (p95s) => {
        const [base] = latencyLines(rule, source(hoursBefore(p95s.length, (i) => p95s[i] ?? 0)), {
          metric: 'latency_p95',
          at: AT,
          filter: {},
        });
        expect(base?.value).toBeGreaterThanOrEqual(Math.min(...p95s));
        expect(base?.value).toBeLessThanOrEqual(Math.max(...p95s));
      }),
    );
  });
});

describe('cost: trailing 7-day average as a rate per hour, and 2× it', () => {
  const dayStart = Math.floor(AT / DAY_MS) * DAY_MS;
  const days = (n: number, perHour: (d: number) => number, hoursPerDay = 24): HourStat[] =>
    Array.from({ length: n * hoursPerDay }, (_, i) => {
      const d = Math.floor(i / hoursPerDay);
      return {
        t: dayStart - (d + 1) * DAY_MS + (i % hoursPerDay) * HOUR_MS,
        count: 10,
        costUsd: perHour(d),
        p95Ms: null,
      };
    });

  it('averages complete days only', () => {
    const hours = [...days(7, (d) => d + 1), ...days(1, () => 100, 5).map((h) => ({ ...h, t: h.t - 7 * DAY_MS }))];
    const lines = costLines(RULES.costAnomaly, source(hours), { metric: 'cost_usd', at: AT, filter: {} });
    expect(lines[0]).toMatchObject({ label: '7-day avg', role: 'baseline' });
    expect(lines[0]?.value).toBeCloseTo(4, 9); // mean of 1..7 $/h; the 5-hour day is not complete
    expect(lines[1]).toMatchObject({ label: '2× avg', role: 'threshold' });
    expect(lines[1]?.value).toBeCloseTo(8, 9);
  });

  it('no history, no line', () => {
    expect(costLines(RULES.costAnomaly, source([]), { metric: 'cost_usd', at: AT, filter: {} })).toEqual([]);
  });
});

describe('retrieval and feedback baselines (rate-shift: trailing proportion before the window)', () => {
  it('is hits / total over the baseline span, with the margin line on the paging side', () => {
    const spans: [number, number][] = [];
    const totals = (from: number, to: number): SpanTotals => {
      spans.push([from, to]);
      return { ...emptyTotals(), feedbackUp: 800, feedbackDown: 200, retrievalHits: 900, retrievalMisses: 100 };
    };
    const fb = rateShiftLines(
      RULES.negativeFeedback,
      source([], totals),
      { metric: 'negative_feedback_rate', at: AT, filter: {} },
      (t) => ({ hits: t.feedbackDown, total: t.feedbackDown + t.feedbackUp }),
      'above',
    );
    expect(fb.map((l) => [l.role, +l.value.toFixed(6)])).toEqual([
      ['baseline', 0.2],
      ['threshold', 0.35],
    ]);
    const windowStart = AT - RULES.negativeFeedback.windowMs;
    expect(spans[0]).toEqual([windowStart - RULES.negativeFeedback.baselineMs, windowStart]);
    const rt = seriesReference(RULES, source([], totals), { metric: 'retrieval_hit_rate', at: AT, filter: {} });
    expect(rt?.lines.map((l) => +l.value.toFixed(6))).toEqual([0.9, 0.75]);
  });

  it('below minBaselineSamples there is no baseline', () => {
    const few = (): SpanTotals => ({ ...emptyTotals(), feedbackUp: 10, feedbackDown: 5 });
    expect(
      seriesReference(RULES, source([], few), { metric: 'negative_feedback_rate', at: AT, filter: {} })?.lines,
    ).toEqual([]);
  });
});

describe('output mix KL', () => {
  it('is 0-ish for the same mix and above the threshold for a shifted one', () => {
    const mix = (labels: Record<string, number>) => ({ ...emptyTotals(), outputLabels: labels });
    const same = outputKl(
      RULES.outputDrift,
      source([], () => mix({ answer: 900, refusal: 100 })),
      {
        metric: 'output_label_share',
        at: AT,
        filter: {},
      },
    );
    expect(same).toBeLessThan(0.001);
    const windowStart = AT - RULES.outputDrift.windowMs;
    const shifted = (from: number) =>
      from >= windowStart ? mix({ answer: 300, refusal: 700 }) : mix({ answer: 900, refusal: 100 });
    const ref = seriesReference(RULES, source([], shifted), { metric: 'output_label_share', at: AT, filter: {} });
    expect(ref?.kl?.threshold).toBe(RULES.outputDrift.threshold);
    expect(ref?.kl?.value).toBeGreaterThan(RULES.outputDrift.threshold);
    expect(outputKl(RULES.outputDrift, source([]), { metric: 'output_label_share', at: AT, filter: {} })).toBeNull();
  });
});

describe('pooled rates over few samples', () => {
  it('the negative-feedback chart no longer jumps between 0 % and 100 % per minute', () => {
    // 3 rated answers a minute, alternately all thumbs-down and all thumbs-up: raw is 100 %, 0 %, 100 % …
    const rows = Array.from({ length: 120 }, (_, i) =>
      row(AT + i * MINUTE_MS, { count: 3, feedbackDown: i % 2 === 0 ? 3 : 0, feedbackUp: i % 2 === 0 ? 0 : 3 }),
    );
    const [s] = rollupSeries(rows, {
      metric: 'negative_feedback_rate',
      from: AT,
      to: AT + 120 * MINUTE_MS,
      stepMs: MINUTE_MS,
    });
    const values = (s?.points ?? []).map((p) => p[1] as number);
    for (const v of values.slice(MIN_RATE_SAMPLES)) expect(Math.abs(v - 0.5)).toBeLessThan(0.1);
    expect(s?.counts?.slice(MIN_RATE_SAMPLES).every((n) => n >= MIN_RATE_SAMPLES)).toBe(true);
  });

  it('error rates carry their per-bucket request count', () => {
    const rows = [row(AT, { count: 40, errors: 2 }), row(AT + MINUTE_MS, { count: 7, errors: 7 })];
    const [s] = rollupSeries(rows, { metric: 'error_rate', from: AT, to: AT + 2 * MINUTE_MS, stepMs: MINUTE_MS });
    expect(s?.points.map((p) => p[1])).toEqual([0.05, 1]);
    expect(s?.counts).toEqual([40, 7]);
  });

  const bucket = fc.record({
    total: fc.integer({ min: 0, max: 200 }),
    share: fc.double({ min: 0, max: 1, noNaN: true }),
  });
  it('property: within [0, 1]; gaps stay gaps; a busy bucket keeps its own rate; pooling looks back at most MAX_POOL_BUCKETS', () => {
    fc.assert(
      fc.property(fc.array(bucket, { maxLength: 100 }), (bs) => {
        const totals = bs.map((b) => b.total);
        const hits = bs.map((b) => Math.round(b.total * b.share));
        const { values, counts } = pooledRates(hits, totals);
        bs.forEach((b, i) => {
          const v = values[i];
          if (b.total === 0) {
            expect(v).toBeNull();
            return;
          }
          expect(v).not.toBeNull();
          expect(v as number).toBeGreaterThanOrEqual(0);
          expect(v as number).toBeLessThanOrEqual(1);
          if (b.total >= MIN_RATE_SAMPLES) expect(v).toBe((hits[i] ?? 0) / b.total);
          const window = totals.slice(Math.max(0, i - MAX_POOL_BUCKETS + 1), i + 1).reduce((a, n) => a + n, 0);
          expect(counts[i]).toBeLessThanOrEqual(window);
        });
      }),
    );
  });
});

describe('unpriced models', () => {
  it('cost of a model without a price is unknown (null, with the count), never $0', () => {
    const rows = [
      row(AT, { model: 'mystery-1', count: 12, unpriced: 12 }),
      row(AT, { model: 'gpt-4o', count: 10, costUsd: 0.5 }),
    ];
    const series = rollupSeries(rows, {
      metric: 'cost_usd',
      from: AT,
      to: AT + MINUTE_MS,
      stepMs: MINUTE_MS,
      by: 'model',
    });
    const mystery = series.find((s) => s.labels['model'] === 'mystery-1');
    expect(mystery?.points[0]?.[1]).toBeNull();
    expect(mystery?.unpriced).toBe(12);
    const priced = series.find((s) => s.labels['model'] === 'gpt-4o');
    expect(priced?.points[0]?.[1]).toBe(0.5);
    expect(priced?.unpriced).toBeUndefined();
  });
});

describe('chart overlays', () => {
  const incident = (id: string, firedAt: number, resolvedAt?: number): Incident =>
    ({
      id,
      key: id,
      tier: 'page',
      status: resolvedAt ? 'resolved' : 'firing',
      title: `incident ${id}`,
      alertIds: [],
      firedAt: new Date(firedAt).toISOString(),
      ...(resolvedAt ? { resolvedAt: new Date(resolvedAt).toISOString() } : {}),
    }) as Incident;

  it('markers are the incidents overlapping the range, oldest first, with their end when resolved', () => {
    const from = AT / 1000;
    const to = from + 3600;
    const ms = incidentMarkers(
      [
        incident('late', AT + 2 * HOUR_MS),
        incident('b', AT + 30 * MINUTE_MS),
        incident('old-resolved', AT - 2 * HOUR_MS, AT - HOUR_MS),
        incident('spanning', AT - 2 * HOUR_MS, AT + 10 * MINUTE_MS),
      ],
      from,
      to,
    );
    expect(ms.map((m) => m.incidentId)).toEqual(['spanning', 'b']);
    expect(ms[0]?.end).toBe((AT + 10 * MINUTE_MS) / 1000);
    expect(ms[1]?.end).toBeUndefined();
  });

  it('the y range always holds the rule lines', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.boolean(),
        (a, b, ref, zero) => {
          const [lo, hi] = yRangeWith(
            Math.min(a, b),
            Math.max(a, b),
            [{ label: 'x', value: ref, role: 'threshold' }],
            zero,
          );
          expect(lo).toBeLessThanOrEqual(ref);
          expect(hi).toBeGreaterThanOrEqual(ref);
          expect(hi).toBeGreaterThan(lo);
        },
      ),
    );
  });
});

describe('decimation to pixel columns', () => {
  it('keeps each series’ min and max per column, at most two points per column, gaps as gaps', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }), { minLength: 1, maxLength: 2000 }),
        fc.integer({ min: 1, max: 300 }),
        (values, columns) => {
          const xs = values.map((_, i) => i * 60);
          const d = decimate(xs, [values], columns);
          const kept = d.lines[0] ?? [];
          expect(d.xs.length).toBe(kept.length);
          expect(d.xs.length).toBeLessThanOrEqual(
            Math.max(values.length <= 2 * columns ? values.length : 0, 2 * (columns + 1)),
          );
          const present = values.filter((v): v is number => v !== null);
          const shown = kept.filter((v): v is number => v !== null);
          if (present.length > 0) {
            expect(Math.max(...shown)).toBe(Math.max(...present));
            expect(Math.min(...shown)).toBe(Math.min(...present));
          } else expect(shown).toEqual([]);
          for (let i = 1; i < d.xs.length; i++) expect(d.xs[i]).toBeGreaterThan(d.xs[i - 1] as number);
          for (const i of d.index) expect(i).toBeLessThan(values.length);
        },
      ),
    );
  });

  it('30 days of minutes at 1,200 px become at most 2,400 points', () => {
    const xs = Array.from({ length: 43_200 }, (_, i) => i * 60);
    const d = decimate(xs, [xs.map((x) => Math.sin(x))], 1200);
    expect(d.xs.length).toBeLessThanOrEqual(2 * 1201);
  });
});

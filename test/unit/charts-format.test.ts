import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  alertChartSpec,
  alertWindow,
  formatValue,
  lastValue,
  scaleForStep,
  seriesName,
} from '../../renderer/src/lib/chart-format.js';
import { toPanelData } from '../../renderer/src/store/charts.js';
import { PANELS } from '../../renderer/src/lib/chart-panels.js';
import { bucketStarts, evalSeries } from '../../shared/series/aggregate.js';

describe('chart formatting', () => {
  it('formats each kind with its unit, and gaps as a dash', () => {
    expect(formatValue('ms', 812.4)).toBe('812 ms');
    expect(formatValue('ms', 4100)).toBe('4.10 s');
    expect(formatValue('ratio', 0.0512)).toBe('5.12 %');
    expect(formatValue('ratio', 0.5)).toBe('50.0 %');
    expect(formatValue('usdPerHour', 1.2)).toBe('$1.20/h');
    expect(formatValue('perMin', 17)).toBe('17.0/min');
    expect(formatValue('ms', null)).toBe('—');
  });

  it('turns per-bucket sums into per-minute and per-hour rates', () => {
    expect(scaleForStep('perMin', '5m')).toBe(1 / 5);
    expect(scaleForStep('usdPerHour', '5m')).toBe(12);
    expect(scaleForStep('usdPerHour', '1h')).toBe(1);
    expect(scaleForStep('ratio', '1m')).toBe(1);
  });

  it('legend: last value that exists; names from labels', () => {
    expect(lastValue([1, 2, null, null])).toBe(2);
    expect(lastValue([null])).toBeNull();
    expect(seriesName({ model: 'gpt-4o' }, 'all')).toBe('gpt-4o');
    expect(seriesName({}, 'p95')).toBe('p95');
  });

  it('charts an alert by its rule, in a window around when it fired', () => {
    expect(alertChartSpec({ ruleId: 'latency-p95' }).metric).toBe('latency_p95');
    expect(alertChartSpec({ ruleId: 'error-rate' }).metric).toBe('error_rate');
    expect(alertChartSpec({ ruleId: 'provider-down' }).metric).toBe('error_rate');
    expect(alertChartSpec({ ruleId: 'cost-anomaly' }).metric).toBe('cost_usd');
    expect(alertChartSpec({ ruleId: 'eval-accuracy' }).metric).toBe('eval_accuracy');
    expect(alertChartSpec({ ruleId: 'output-drift' }).metric).toBe('output_label_share');
    expect(alertChartSpec({ ruleId: 'am:whatever' }).metric).toBe('requests');
    const fired = Date.UTC(2026, 0, 1, 12);
    expect(alertWindow(fired, fired + 3_600_000)).toEqual({ fromMs: fired - 3_600_000, toMs: fired + 1_800_000 });
    expect(alertWindow(fired, fired + 60_000).toMs).toBe(fired + 60_000);
  });

  it('panel data drops a still-filling last bucket and series without any value', () => {
    const spec = PANELS.find((p) => p.id === 'requests');
    if (!spec) throw new Error('no requests panel');
    const data = toPanelData(
      spec,
      [
        {
          metric: 'requests',
          step: '5m',
          series: [
            {
              labels: { model: 'a' },
              points: [
                [0, 50],
                [300_000, 100],
                [600_000, 10],
              ],
            },
            {
              labels: { model: 'b' },
              points: [
                [0, null],
                [300_000, null],
                [600_000, null],
              ],
            },
          ],
        },
      ],
      700_000,
    );
    expect(data.xs).toEqual([0, 300]);
    expect(data.lines).toEqual([{ name: 'a', values: [10, 20] }]);
  });
});

describe('series aggregation (pure)', () => {
  it('bucket starts are step-aligned and cover [from, to)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(60_000, 300_000, 3_600_000),
        (from, n, step) => {
          const to = from + n * 60_000;
          const starts = bucketStarts(from, to, step);
          expect(starts[0]).toBeLessThanOrEqual(from);
          for (const s of starts) expect(s % step).toBe(0);
          expect((starts.at(-1) as number) + step).toBeGreaterThanOrEqual(to);
        },
      ),
    );
  });

  it('eval accuracy: mean per suite per bucket, gaps elsewhere', () => {
    const s = evalSeries(
      [
        { suite: 'qa', ts: 10, accuracy: 0.8 },
        { suite: 'qa', ts: 20, accuracy: 0.9 },
        { suite: 'rag', ts: 70_000, accuracy: 0.5 },
      ],
      { metric: 'eval_accuracy', from: 0, to: 120_000, stepMs: 60_000 },
    );
    expect(s).toEqual([
      {
        labels: { suite: 'qa' },
        points: [
          [0, expect.closeTo(0.85, 10)],
          [60_000, null],
        ],
      },
      {
        labels: { suite: 'rag' },
        points: [
          [0, null],
          [60_000, 0.5],
        ],
      },
    ]);
  });
});

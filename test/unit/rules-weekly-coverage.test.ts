import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../shared/clock.js';
import { emptyAgg } from '../../shared/rollup/agg.js';
import { ScopeHistory } from '../../shared/rollup/history.js';
import { newSketch } from '../../shared/rollup/sketch-codec.js';
import { OUTPUT_DRIFT_DEFAULTS, outputDriftCheck } from '../../shared/rules/output-drift.js';
import { serviceScope } from '../../shared/rules/scope.js';
import { WEEK_MS, coversTwoWeeks } from '../../shared/rules/weekly.js';

const T0 = Date.UTC(2026, 10, 2);

describe('coversTwoWeeks (week-over-week rules need two full weeks)', () => {
  it('is false for a scope first seen inside the comparison, or never seen; true from two weeks on', () => {
    const at = T0 + 3 * WEEK_MS;
    expect(coversTwoWeeks(undefined, at)).toBe(false);
    expect(coversTwoWeeks(at - 2 * WEEK_MS + HOUR_MS, at)).toBe(false); // last week is partial
    expect(coversTwoWeeks(at - 2 * WEEK_MS, at)).toBe(true);
    expect(coversTwoWeeks(T0, at)).toBe(true);
  });
});

describe('output-drift summary', () => {
  it('names a sub-day reference in hours (it printed "0-day reference")', () => {
    const h = new ScopeHistory();
    for (let m = T0; m < T0 + 8 * HOUR_MS; m += 60_000) {
      const late = m >= T0 + 7 * HOUR_MS;
      h.addMinute({
        ...emptyAgg(),
        count: 10,
        outputLabels: late ? { refuse: 10 } : { answer: 9, refuse: 1 },
        minute: m,
        latency: newSketch(),
      });
    }
    const rule = {
      ...OUTPUT_DRIFT_DEFAULTS,
      windowMs: 30 * 60_000,
      referenceMs: 6 * HOUR_MS,
      minSamples: 100,
      minReferenceSamples: 300,
    };
    expect(outputDriftCheck(rule, h, T0 + 8 * HOUR_MS - 60_000, serviceScope('checkout'))).toMatch(
      / vs 6 h reference on checkout: /,
    );
    expect(
      outputDriftCheck({ ...rule, referenceMs: DAY_MS }, h, T0 + 8 * HOUR_MS - 60_000, serviceScope('checkout')),
    ).toMatch(/ vs 1-day reference on checkout: /);
  });
});

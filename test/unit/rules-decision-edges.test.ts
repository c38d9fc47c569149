import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { emptyAgg, type Agg } from '../../shared/rollup/agg.js';
import { ScopeHistory } from '../../shared/rollup/history.js';
import { countAbove, newSketch } from '../../shared/rollup/sketch-codec.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import { calendarSlot } from '../../shared/rules/calendar.js';
import { COST_ANOMALY_DEFAULTS, normalCostPerMinute, projectedDay } from '../../shared/rules/cost-anomaly.js';
import { LATENCY_P95_DEFAULTS, latencyBaseline, latencyP95Check } from '../../shared/rules/latency-p95.js';
import { OUTPUT_DRIFT_DEFAULTS, driftTestLevel, outputDriftCheck } from '../../shared/rules/output-drift.js';
import { PROVIDER_DOWN_DEFAULTS, providerDownCheck } from '../../shared/rules/provider-down.js';
import {
  NEGATIVE_FEEDBACK_DEFAULTS,
  RATE_SHIFT_SEQUENTIAL,
  RETRIEVAL_DROP_DEFAULTS,
  negativeFeedbackCheck,
  retrievalDropCheck,
} from '../../shared/rules/rate-shift.js';
import { providerScope, seriesScope, serviceScope } from '../../shared/rules/scope.js';
import {
  allFailedPValue,
  bernoulliLlr,
  chiSquareUpperTail,
  cusum,
  cusumThreshold,
  gTestPValue,
  klDivergence,
  shiftedAbove,
  shiftedBelow,
} from '../../shared/rules/stats.js';

/**
 * Issue 13: each statistical decision at its edges — 0, 1 and 2 failures (slow requests, thumbs
 * down, misses), tiny and huge counts — and the property that one bad request never trips a rule
 * at any traffic level.
 */
const T0 = Date.UTC(2026, 10, 2); // Monday
const provider = providerScope('openai');
const series = seriesScope({ service: 'checkout', provider: 'openai', model: 'gpt-4o' });
const service = serviceScope('checkout');

interface Spec extends Partial<Agg> {
  latencies?: number[];
}
function history(from: number, to: number, spec: (m: number) => Spec): ScopeHistory {
  const h = new ScopeHistory();
  for (let m = from; m < to; m += MINUTE_MS) {
    const { latencies = [], ...agg } = spec(m);
    const latency = newSketch();
    for (const l of latencies) latency.accept(l);
    if ((agg.count ?? 0) > 0 || latencies.length > 0) h.addMinute({ ...emptyAgg(), ...agg, minute: m, latency });
  }
  return h;
}

describe('total outage: q^n against a healthy provider (provider-down)', () => {
  it('the p-value at 0, 1, 2 and many attempts', () => {
    expect(allFailedPValue(0, 0.02)).toBe(1);
    expect(allFailedPValue(1, 0.02)).toBeCloseTo(0.02, 12);
    expect(allFailedPValue(2, 0.02)).toBeCloseTo(4e-4, 12);
    expect(allFailedPValue(10_000, 0.02)).toBe(0);
    expect(allFailedPValue(3, 0)).toBe(0);
    expect(allFailedPValue(3, 1)).toBe(1);
  });

  const rule = PROVIDER_DOWN_DEFAULTS;
  const at = T0 + 14 * MINUTE_MS;
  /** 15 minutes; minute 14 (the evaluated one) and minute 13 hold `last` and `prev` [attempts, failures]. */
  const episode = (prev: [number, number], last: [number, number]) =>
    history(T0, T0 + 15 * MINUTE_MS, (m) => {
      const [count, errors] = m === at ? last : m === at - MINUTE_MS ? prev : [0, 0];
      const errorTypes: Record<string, number> = errors ? { connection_error: errors } : {};
      return { count, errors, errorTypes };
    });
  it('0 and 1 failures never page; 2 of 2 with no success does; a success in the span does not', () => {
    expect(providerDownCheck(rule, episode([0, 0], [1, 0]), at, provider)).toBeUndefined();
    expect(providerDownCheck(rule, episode([0, 0], [1, 1]), at, provider)).toBeUndefined();
    expect(providerDownCheck(rule, episode([1, 1], [1, 1]), at, provider)).toBe(
      'provider openai: no successful request in 2 min (2 attempted, 2 failed)',
    );
    expect(providerDownCheck(rule, episode([2, 1], [1, 1]), at, provider)).toBeUndefined();
  });
  it('huge counts: every request failing pages; one success in 20,000 still is an outage (partial)', () => {
    expect(providerDownCheck(rule, episode([10_000, 10_000], [10_000, 10_000]), at, provider)).toMatch(
      /no successful request in 2 min \(20000 attempted/,
    );
    expect(providerDownCheck(rule, episode([10_000, 9_999], [10_000, 10_000]), at, provider)).toMatch(
      /^provider openai: 100\.0% of 20000 requests failed/,
    );
  });
  it('the config refuses a confidence that would let one failure page', () => {
    const r = parseCollectorConfig({ rules: { providerDown: { normalFailureShare: 0.01, outageConfidence: 0.98 } } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.join('\n')).toMatch(/rules\.providerDown\.outageConfidence/);
    // Old configs with the superseded counts still load (ignored).
    expect(parseCollectorConfig({ rules: { providerDown: { minAttempts: 3, minSamples: 20 } } }).ok).toBe(true);
  });
});

describe('rate shift beyond the baseline by a margin (retrieval, feedback)', () => {
  const above = (k: number, n: number, kb = 15_000, nb = 100_000) => shiftedAbove(k, n, kb, nb, 0.15, 0.001, 0.99);
  it('0, 1 and 2 thumbs down never prove a shift; 2 of 2 neither (p = 0.09 against 30%)', () => {
    expect(above(0, 0)).toBe(false);
    expect(above(0, 10)).toBe(false);
    expect(above(1, 1)).toBe(false);
    expect(above(2, 2)).toBe(false);
    expect(above(2, 3)).toBe(false);
  });
  it('tiny counts need an overwhelming share; huge counts a small excess over baseline + margin', () => {
    expect(above(6, 6)).toBe(true); // 0.30^6 = 7e-4
    expect(above(5, 5)).toBe(false); // 0.30^5 = 2.4e-3
    expect(above(3_300, 10_000)).toBe(true); // 33% vs 30%
    expect(above(3_050, 10_000)).toBe(false); // 30.5%: noise around the margin
  });
  it('a tiny baseline is a vague yardstick: the same evidence is not enough', () => {
    // 1 thumbs down of 7 is "14%" but its Wilson bound reaches far higher.
    expect(above(14, 20)).toBe(true);
    expect(above(14, 20, 1, 7)).toBe(false);
    expect(above(14, 20, 0, 0)).toBe(false);
  });
  it('below mirrors it (retrieval hits)', () => {
    const below = (k: number, n: number) => shiftedBelow(k, n, 80_000, 100_000, 0.15, 0.001, 0.99);
    expect(below(0, 0)).toBe(false);
    expect(below(0, 1)).toBe(false); // one miss
    expect(below(0, 2)).toBe(false); // two misses: 0.35² = 0.12
    expect(below(0, 7)).toBe(true); // 0.35^7 = 6e-4
    expect(below(6_000, 10_000)).toBe(true);
    expect(below(6_450, 10_000)).toBe(false);
  });

  it('one thumbs down (or one miss) never raises a ticket, at any traffic level', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 59 }), (rated, which) => {
        // A week at 15% down / 80% hits, then an hour where one rating or one lookup is bad and the rest fine.
        const h = history(T0, T0 + 7 * DAY_MS + HOUR_MS, (m) => {
          if (m < T0 + 7 * DAY_MS)
            return { count: 20, feedbackUp: 17, feedbackDown: 3, retrievalHits: 16, retrievalMisses: 4 };
          const i = (m - T0 - 7 * DAY_MS) / MINUTE_MS;
          const n = Math.floor(((i + 1) * rated) / 60) - Math.floor((i * rated) / 60);
          const bad = i === which ? 1 : 0;
          return {
            count: n + bad,
            feedbackUp: n,
            feedbackDown: bad,
            retrievalHits: n,
            retrievalMisses: bad,
          };
        });
        const end = T0 + 7 * DAY_MS + 59 * MINUTE_MS;
        for (let m = T0 + 7 * DAY_MS; m <= end; m += MINUTE_MS) {
          expect(negativeFeedbackCheck(NEGATIVE_FEEDBACK_DEFAULTS, h, m, service)).toBeUndefined();
          expect(retrievalDropCheck(RETRIEVAL_DROP_DEFAULTS, h, m, service)).toBeUndefined();
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('sequential evidence: Bernoulli CUSUM next to the binomial test (retrieval, feedback)', () => {
  const hit = Math.log(0.5 / 0.8);
  const miss = Math.log(0.5 / 0.2);
  it('the log-likelihood ratio at 0, 1, 2 and huge counts', () => {
    expect(bernoulliLlr(0, 0, 0.8, 0.5)).toBe(0);
    expect(bernoulliLlr(1, 1, 0.8, 0.5)).toBeCloseTo(hit, 12);
    expect(bernoulliLlr(0, 1, 0.8, 0.5)).toBeCloseTo(miss, 12);
    expect(bernoulliLlr(0, 2, 0.8, 0.5)).toBeCloseTo(2 * miss, 12);
    expect(bernoulliLlr(800_000, 1_000_000, 0.8, 0.5)).toBeCloseTo(800_000 * hit + 200_000 * miss, 3);
    // At the baseline's own rate it drifts down; at the alternative's, up.
    expect(bernoulliLlr(8_000, 10_000, 0.8, 0.5)).toBeLessThan(0);
    expect(bernoulliLlr(5_000, 10_000, 0.8, 0.5)).toBeGreaterThan(0);
  });
  it('the CUSUM keeps the best run of newest steps and forgets what the null explained', () => {
    expect(cusum([])).toBe(0);
    expect(cusum([-1, -2])).toBe(0);
    expect(cusum([1, -0.5, 2])).toBeCloseTo(2.5, 12);
    expect(cusum([3, -5, 1])).toBe(1);
    expect(cusum(Array.from({ length: 100_000 }, () => 0.01))).toBeCloseTo(1_000, 6);
  });
  it('the threshold follows the false-alarm budget and never lets one or two bad trials through', () => {
    const seq = RATE_SHIFT_SEQUENTIAL;
    // ln(trials a month × services tested / budget)
    expect(cusumThreshold(46_000, 11, seq.falseAlarmsPerMonth, 0.8, 0.5, seq.minSteps)).toBeCloseTo(
      Math.log((46_000 * 11) / 0.1),
      9,
    );
    expect(cusumThreshold(1e9, 30, 0.1, 0.8, 0.5, 3)).toBeCloseTo(Math.log(3e11), 9);
    // No traffic, or a tiny baseline: the floor, three of the largest steps.
    for (const trials of [0, 1, 2]) {
      const h = cusumThreshold(trials, 1, 1e9, 0.8, 0.5, 3);
      expect(h).toBeCloseTo(3 * miss, 12);
      expect(2 * miss).toBeLessThan(h);
    }
    // Near the edges of (0, 1) the steps grow; the floor grows with them.
    const h = cusumThreshold(0, 1, 1e9, 0.999, 0.699, 3);
    expect(Math.log(0.301 / 0.001) * 2).toBeLessThan(h);
  });

  /** A week at 80% hits and `perMin` lookups a minute, then `drop` hits from T0 + 7 d on. */
  const retrieval = (perMin: number, drop: number, minutes: number) =>
    history(T0, T0 + 7 * DAY_MS + minutes * MINUTE_MS, (m) => {
      const i = Math.round((m - T0) / MINUTE_MS);
      const n = Math.floor((i + 1) * perMin) - Math.floor(i * perMin);
      const p = m < T0 + 7 * DAY_MS ? 0.8 : drop;
      const hits = Math.floor((i + 1) * perMin * p) - Math.floor(i * perMin * p);
      return { count: n, retrievalHits: Math.min(n, hits), retrievalMisses: n - Math.min(n, hits) };
    });
  const firstHeld = (h: ScopeHistory, minutes: number, tested: number): number | undefined => {
    for (let j = 0; j < minutes; j++) {
      const m = T0 + 7 * DAY_MS + j * MINUTE_MS;
      if (retrievalDropCheck(RETRIEVAL_DROP_DEFAULTS, h, m, service, { scopesTested: tested }) !== undefined)
        return j + 1;
    }
    return undefined;
  };
  it('a retrieval drop 80% → 45% at 2 lookups a minute holds within 45 minutes among 12 services (the sequential test decides first)', () => {
    const h = retrieval(2, 0.45, 90);
    const held = firstHeld(h, 90, 12);
    expect(held).toBeDefined();
    expect(held).toBeLessThanOrEqual(45);
    const m = T0 + 7 * DAY_MS + ((held ?? 1) - 1) * MINUTE_MS;
    expect(retrievalDropCheck(RETRIEVAL_DROP_DEFAULTS, h, m, service, { scopesTested: 12 })).toMatch(
      /sequential test: LLR [\d.]+ ≥ [\d.]+\)$/,
    );
  });
  it('the baseline rate itself, or a move inside the margin (80% → 70%), never holds', () => {
    expect(firstHeld(retrieval(2, 0.8, 120), 120, 1)).toBeUndefined();
    expect(firstHeld(retrieval(200, 0.8, 120), 120, 1)).toBeUndefined();
    expect(firstHeld(retrieval(200, 0.7, 120), 120, 1)).toBeUndefined();
  });
});

describe('latency p95 above a limit: the share of slow requests (latency-p95)', () => {
  const rule = { ...LATENCY_P95_DEFAULTS, slo: [] };
  const day = T0 + DAY_MS;
  /** A day at ~1 s, then minutes [day, day + 10) with `slow` requests at 6 s among `count` per minute. */
  const window = (count: number, slow: (m: number) => number) =>
    history(T0, day + 10 * MINUTE_MS, (m) => {
      if (m < day) return { count: 30, latencies: Array.from({ length: 30 }, (_, i) => 900 + 10 * i) };
      const s = slow(m);
      return {
        count,
        latencies: [
          ...Array.from({ length: count - s }, (_, i) => 900 + (200 * i) / count),
          ...Array.from({ length: s }, () => 6_000),
        ],
      };
    });
  const at = day + 9 * MINUTE_MS;
  it('counts the sketch values above a limit', () => {
    const s = newSketch();
    for (const v of [100, 200, 300, 6_000, 7_000]) s.accept(v);
    expect(countAbove(s, 1_000)).toBe(2);
    expect(countAbove(s, 10_000)).toBe(0);
    expect(countAbove(newSketch(), 1)).toBe(0);
  });
  it('0 or 1 slow request never; 2 of 2 (both 6x slower) is evidence, 2 of 20 is not', () => {
    const one = (n: number, slowAt: number) => window(n, (m) => (m === slowAt ? 1 : 0));
    expect(latencyP95Check(rule, one(1, day + 9 * MINUTE_MS), at, series)).toBeUndefined();
    expect(
      latencyP95Check(
        rule,
        window(1, () => 0),
        at,
        series,
      ),
    ).toBeUndefined();
    // Only the last two minutes have traffic: one request each, both slow.
    const two = history(T0, day + 10 * MINUTE_MS, (m) =>
      m < day
        ? { count: 30, latencies: Array.from({ length: 30 }, (_, i) => 900 + 10 * i) }
        : m >= day + 8 * MINUTE_MS
          ? { count: 1, latencies: [6_000] }
          : {},
    );
    expect(latencyP95Check(rule, two, at, series)).toMatch(/^p95 [56]\.\d s vs baseline [\d.]+ m?s for 15 min/);
    expect(
      latencyP95Check(
        rule,
        window(2, (m) => (m >= day + 8 * MINUTE_MS ? 1 : 0)),
        at,
        series,
      ),
    ).toBeUndefined();
  });
  it('huge counts: 6% slow of 60,000 is provably above p95 x2; 5% is not', () => {
    expect(
      latencyP95Check(
        rule,
        window(6_000, () => 360),
        at,
        series,
      ),
    ).toMatch(/^p95 [56]\.\d s vs baseline/);
    expect(
      latencyP95Check(
        rule,
        window(6_000, () => 300),
        at,
        series,
      ),
    ).toBeUndefined();
  });
});

describe('output mix shift: G-test against the reference (output-drift)', () => {
  it('χ² tails match the tables', () => {
    expect(chiSquareUpperTail(3.841, 1)).toBeCloseTo(0.05, 3);
    expect(chiSquareUpperTail(5.991, 2)).toBeCloseTo(0.05, 3);
    expect(chiSquareUpperTail(18.307, 10)).toBeCloseTo(0.05, 3);
    expect(chiSquareUpperTail(0, 2)).toBe(1);
    expect(chiSquareUpperTail(200, 2)).toBeLessThan(1e-40);
  });
  it('0, 1 or 2 outputs never prove a shift; identical mixes never do at any count', () => {
    const ref = { answer: 7_500, clarify: 1_700, refusal: 800 };
    expect(gTestPValue({}, ref)).toBe(1);
    expect(gTestPValue({ refusal: 1 }, ref)).toBeGreaterThan(0.01);
    expect(gTestPValue({ refusal: 2 }, ref)).toBeGreaterThan(0.001);
    expect(gTestPValue({ answer: 750_000, clarify: 170_000, refusal: 80_000 }, ref)).toBeGreaterThan(0.5);
  });
  it('a flattened mix is proven with a few dozen outputs; a small change only with many', () => {
    const ref = { answer: 7_500, clarify: 1_700, refusal: 800 };
    expect(gTestPValue({ answer: 15, clarify: 10, refusal: 10 }, ref)).toBeLessThan(1e-4);
    expect(gTestPValue({ answer: 72, clarify: 18, refusal: 10 }, ref)).toBeGreaterThan(0.01);
    expect(gTestPValue({ answer: 72_000, clarify: 18_000, refusal: 10_000 }, ref)).toBeLessThan(1e-10);
  });
  it('the rule: a few outputs of a quiet service with a large KL are not a ticket; the same mix at volume is', () => {
    const rule = OUTPUT_DRIFT_DEFAULTS;
    const day = T0 + 7 * DAY_MS;
    const shifted = (perMin: number, minutes: number) =>
      history(T0, day + HOUR_MS, (m) =>
        m < day
          ? { count: 20, outputLabels: { answer: 15, clarify: 3, refusal: 2 } as Record<string, number> }
          : (m - day) / MINUTE_MS < 60 - minutes
            ? {}
            : { count: perMin, outputLabels: { refusal: perMin } as Record<string, number> },
      );
    const at = day + 59 * MINUTE_MS;
    expect(outputDriftCheck(rule, shifted(1, 2), at, service)).toBeUndefined();
    expect(outputDriftCheck(rule, shifted(5, 30), at, service)).toMatch(/^output mix KL [\d.]+ > 0\.1 over 60 min/);
  });
  it('a quiet month: the level counts every hour the sliding window tests, not just the services', () => {
    // The false ticket the 30-day quiet month raised before (76 outputs, KL 0.13, p ≈ 1e-4 among
    // 31 services): below 1 - confidence per service, far above the month's budget per window.
    const ref = { answer: 7_550, clarify: 1_650, refusal: 800 };
    const fluke = { answer: 40, clarify: 24, refusal: 12 };
    const p = gTestPValue(fluke, ref);
    expect(klDivergence(fluke, ref, 1)).toBeGreaterThan(OUTPUT_DRIFT_DEFAULTS.threshold);
    expect(p).toBeLessThan((1 - OUTPUT_DRIFT_DEFAULTS.confidence) / 31);
    const level = driftTestLevel(OUTPUT_DRIFT_DEFAULTS, 31);
    expect(level).toBeCloseTo(0.1 / 720 / 31, 12);
    expect(p).toBeGreaterThan(level);
    // A flattened mix of the same size is still proven at that level.
    expect(gTestPValue({ answer: 26, clarify: 25, refusal: 25 }, ref)).toBeLessThan(level);
    // The stricter of the two wins: a week-long window leaves `confidence` in charge.
    expect(driftTestLevel({ ...OUTPUT_DRIFT_DEFAULTS, windowMs: 7 * DAY_MS }, 1)).toBeCloseTo(0.01, 12);
  });
});

describe('calendar-aware baselines (issue 13)', () => {
  it('local hour and kind of day in the team zone, half-hour zones and DST included; unknown zones fall back to UTC', () => {
    // Monday 18:45 UTC is Tuesday 00:15 in Kolkata (+05:30); Saturday 18:15 UTC is 23:45 there.
    expect(calendarSlot(Date.UTC(2026, 10, 2, 18, 45), 'Asia/Kolkata')).toEqual({ hour: 0, weekend: false });
    expect(calendarSlot(Date.UTC(2026, 10, 7, 18, 15), 'Asia/Kolkata')).toEqual({ hour: 23, weekend: true });
    // Berlin leaves summer time on 2026-10-25: 00:30 UTC is 02:30 CEST, 01:30 UTC is 02:30 CET.
    expect(calendarSlot(Date.UTC(2026, 9, 25, 0, 30), 'Europe/Berlin')).toEqual({ hour: 2, weekend: true });
    expect(calendarSlot(Date.UTC(2026, 9, 25, 1, 30), 'Europe/Berlin')).toEqual({ hour: 2, weekend: true });
    // Sunday 23:30 UTC is already Monday in Berlin.
    expect(calendarSlot(Date.UTC(2026, 10, 8, 23, 30), 'Europe/Berlin')).toEqual({ hour: 0, weekend: false });
    expect(calendarSlot(Date.UTC(2026, 10, 8, 23, 30), 'Not/AZone')).toEqual({ hour: 23, weekend: true });
  });

  it('quarter-hour zones: the slot asked first in a half hour does not answer for the rest of it', () => {
    // Friday 18:14 UTC is 23:59 on Friday in Kathmandu (+05:45); 18:20 UTC is already Saturday 00:05.
    expect(calendarSlot(Date.UTC(2026, 10, 6, 18, 14), 'Asia/Kathmandu')).toEqual({ hour: 23, weekend: false });
    expect(calendarSlot(Date.UTC(2026, 10, 6, 18, 20), 'Asia/Kathmandu')).toEqual({ hour: 0, weekend: true });
    // Chatham (+13:45 in southern summer): Sunday 10:14 UTC is 23:59 Sunday, 10:16 UTC is Monday 00:01.
    expect(calendarSlot(Date.UTC(2026, 10, 8, 10, 14), 'Pacific/Chatham')).toEqual({ hour: 23, weekend: true });
    expect(calendarSlot(Date.UTC(2026, 10, 8, 10, 16), 'Pacific/Chatham')).toEqual({ hour: 0, weekend: false });
  });

  it('baselines memoised over closed hours answer exactly what a fresh history does', () => {
    const rule = { ...COST_ANOMALY_DEFAULTS, timeZone: 'Europe/Berlin' };
    const spec = (m: number): Spec => {
      const count = 5 + ((m / MINUTE_MS) % 37);
      return { count, costUsd: 0.01 * count, latencies: [800 + ((m / MINUTE_MS) % 300)] };
    };
    const end = T0 + 4 * DAY_MS;
    const live = new ScopeHistory();
    const checkpoints = new Set<number>();
    // Thursday afternoon and evening (a quarter of the day's usual cost is spent by then).
    for (let m = T0 + 3 * DAY_MS + 12 * HOUR_MS; m < end; m += 37 * MINUTE_MS) checkpoints.add(m);
    for (let m = T0; m < end; m += MINUTE_MS) {
      const { latencies = [], ...agg } = spec(m);
      const latency = newSketch();
      for (const l of latencies) latency.accept(l);
      live.addMinute({ ...emptyAgg(), ...agg, minute: m, latency });
      const ws = m - 14 * MINUTE_MS;
      // Asked every minute, as the runtime does (fills the memo).
      const got = {
        normal: normalCostPerMinute(rule, live, ws),
        day: projectedDay(rule, live, m),
        p95: latencyBaseline({ ...LATENCY_P95_DEFAULTS, slo: [] }, live, ws),
      };
      if (!checkpoints.has(m)) continue;
      const fresh = history(T0, m + MINUTE_MS, spec);
      expect(got.normal).toBeGreaterThan(0);
      expect(got.day?.projected).toBeGreaterThan(0);
      expect(got.p95).toBeGreaterThan(0);
      expect(got).toEqual({
        normal: normalCostPerMinute(rule, fresh, ws),
        day: projectedDay(rule, fresh, m),
        p95: latencyBaseline({ ...LATENCY_P95_DEFAULTS, slo: [] }, fresh, ws),
      });
    }
  });
});

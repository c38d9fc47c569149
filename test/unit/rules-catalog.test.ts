import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { emptyAgg, type Agg } from '../../shared/rollup/agg.js';
import { ScopeHistory } from '../../shared/rollup/history.js';
import { newSketch } from '../../shared/rollup/sketch-codec.js';
import { COST_ANOMALY_DEFAULTS, costAnomalyCheck } from '../../shared/rules/cost-anomaly.js';
import { ERROR_RATE_DEFAULTS, errorRateCheck } from '../../shared/rules/error-rate.js';
import { EVAL_ACCURACY_DEFAULTS, evalAccuracyCheck, type EvalRun } from '../../shared/rules/eval-accuracy.js';
import { LATENCY_P95_DEFAULTS, latencyP95Check, sloFor } from '../../shared/rules/latency-p95.js';
import { errorSignature, normaliseErrorMessage } from '../../shared/rules/novel-error.js';
import { OUTPUT_DRIFT_DEFAULTS, outputDriftCheck } from '../../shared/rules/output-drift.js';
import { PROVIDER_DOWN_DEFAULTS, providerDownCheck } from '../../shared/rules/provider-down.js';
import {
  NEGATIVE_FEEDBACK_DEFAULTS,
  RETRIEVAL_DROP_DEFAULTS,
  negativeFeedbackCheck,
  retrievalDropCheck,
} from '../../shared/rules/rate-shift.js';
import { providerScope, seriesScope, serviceScope } from '../../shared/rules/scope.js';
import { INACTIVE, step, type RuleState } from '../../shared/rules/state-machine.js';
import { klDivergence, normalQuantile } from '../../shared/rules/stats.js';
import {
  costTrendCheck,
  evalCoverageCheck,
  inputMixTrendCheck,
  modelVersionChangeCheck,
} from '../../shared/rules/weekly.js';

/** Synthetic windows: every rule's pure check over a ScopeHistory fed minute by minute (fake time). */
const T0 = Date.UTC(2026, 10, 2); // Monday
const series = seriesScope({ service: 'checkout', provider: 'openai', model: 'gpt-4o' });
const service = serviceScope('checkout');

interface MinuteSpec extends Partial<Agg> {
  latencies?: number[];
}

function history(from: number, to: number, spec: (m: number) => MinuteSpec): ScopeHistory {
  const h = new ScopeHistory();
  for (let m = from; m < to; m += MINUTE_MS) {
    const { latencies = [], ...agg } = spec(m);
    const latency = newSketch();
    for (const l of latencies) latency.accept(l);
    h.addMinute({ ...emptyAgg(), ...agg, minute: m, latency });
  }
  return h;
}

/** Runs `check` minute by minute through the state machine; returns the transitions. */
function drive(
  h: ScopeHistory,
  from: number,
  to: number,
  check: (m: number) => string | undefined,
  timing: { forMs: number; keepFiringForMs: number },
) {
  let s: RuleState = INACTIVE;
  const out: { m: number; kind: string; summary?: string }[] = [];
  for (let m = from; m < to; m += MINUTE_MS) {
    const summary = check(m);
    const tr = step(s, summary !== undefined, m, timing);
    s = tr.state;
    if (tr.kind !== 'none') out.push({ m, kind: tr.kind, ...(summary ? { summary } : {}) });
  }
  return out;
}

const lat = (n: number, ms: number): number[] => Array.from({ length: n }, (_, i) => ms * (0.8 + (0.4 * i) / n));

describe('latency-p95', () => {
  const rule = { ...LATENCY_P95_DEFAULTS, slo: [] as { p95: number }[] };
  const day = T0 + DAY_MS;
  it('fires after 15 min above 2x the baseline, with the numbers, and resolves', () => {
    const h = history(T0, day + 60 * MINUTE_MS, (m) => ({
      count: 10,
      latencies: lat(10, m >= day && m < day + 30 * MINUTE_MS ? 4000 : 1000),
    }));
    const evs = drive(h, day - 60 * MINUTE_MS, day + 60 * MINUTE_MS, (m) => latencyP95Check(rule, h, m, series), rule);
    const fired = evs.find((e) => e.kind === 'fired');
    expect(fired?.summary).toMatch(/^p95 4\.\d s vs baseline 1\.\d s for 15 min on checkout · openai\/gpt-4o$/);
    expect(fired!.m - day).toBeLessThanOrEqual(20 * MINUTE_MS);
    expect(evs.some((e) => e.kind === 'resolved' && e.m > day + 30 * MINUTE_MS)).toBe(true);
  });
  it('does not fire on variation inside the SLO, on a single slow request, or without a baseline (new usage pattern)', () => {
    const h = history(T0, day + 60 * MINUTE_MS, (m) => ({ count: 10, latencies: lat(10, m >= day ? 2500 : 1000) }));
    const withSlo = { ...rule, slo: [{ service: 'checkout', p95: 4000 }] };
    expect(drive(h, day, day + 60 * MINUTE_MS, (m) => latencyP95Check(withSlo, h, m, series), rule)).toEqual([]);
    const single = history(T0, day + 30 * MINUTE_MS, (m) => ({
      count: 10,
      latencies: m === day ? [...lat(9, 1000), 30_000] : lat(10, 1000),
    }));
    expect(drive(single, day, day + 30 * MINUTE_MS, (m) => latencyP95Check(rule, single, m, series), rule)).toEqual([]);
    const fresh = history(day, day + 60 * MINUTE_MS, () => ({ count: 10, latencies: lat(10, 9000) }));
    expect(drive(fresh, day, day + 60 * MINUTE_MS, (m) => latencyP95Check(rule, fresh, m, series), rule)).toEqual([]);
  });
  it('pages above 3x the SLO even without a baseline; the most specific SLO wins', () => {
    const fresh = history(T0, T0 + 30 * MINUTE_MS, () => ({ count: 10, latencies: lat(10, 5000) }));
    const r = { ...rule, slo: [{ p95: 1500 }, { model: 'gpt-4o', p95: 1000 }] };
    expect(sloFor(r.slo, series.labels)).toBe(1000);
    expect(latencyP95Check(r, fresh, T0 + 20 * MINUTE_MS, series)).toMatch(
      /^p95 5\.\d s vs SLO 1\.0 s \(5\.\dx\) for 15 min/,
    );
  });
});

describe('error-rate over a history', () => {
  it('never pages on a single failed request; fires on a sustained rate', () => {
    const rule = { ...ERROR_RATE_DEFAULTS };
    const one = history(T0, T0 + 30 * MINUTE_MS, (m) => ({ count: 20, errors: m === T0 + 10 * MINUTE_MS ? 1 : 0 }));
    expect(drive(one, T0, T0 + 30 * MINUTE_MS, (m) => errorRateCheck(rule, one, m, series), rule)).toEqual([]);
    const bad = history(T0, T0 + 30 * MINUTE_MS, () => ({ count: 20, errors: 4 }));
    const evs = drive(bad, T0, T0 + 30 * MINUTE_MS, (m) => errorRateCheck(rule, bad, m, series), rule);
    expect(evs.find((e) => e.kind === 'fired')?.summary).toBe(
      'error rate 20.0% (40/200) over 10 min, above 5% at 97.5% confidence, on checkout · openai/gpt-4o',
    );
  });
});

describe('provider-down', () => {
  const rule = PROVIDER_DOWN_DEFAULTS;
  const scope = providerScope('openai');
  it('fires when availability errors dominate, and when nothing succeeds', () => {
    const h = history(T0, T0 + 10 * MINUTE_MS, () => ({
      count: 10,
      errors: 8,
      errorTypes: { connection_error: 5, server_error: 3 },
    }));
    // 16 of 20 over the fast 2-minute span already prove "more than half" at 90%.
    expect(providerDownCheck(rule, h, T0 + 9 * MINUTE_MS, scope)).toBe(
      'provider openai: 80.0% of 20 requests failed with connection/5xx/timeout errors over 2 min (connection_error 10, server_error 6); 4 succeeded',
    );
    const none = history(T0, T0 + 10 * MINUTE_MS, () => ({ count: 10, errors: 10, errorTypes: { auth_error: 10 } }));
    expect(providerDownCheck(rule, none, T0 + 9 * MINUTE_MS, scope)).toMatch(
      /no successful request in 2 min \(20 attempted/,
    );
  });
  it('does not fire on a single failed request, on rate limits, or on too few attempts', () => {
    const one = history(T0, T0 + 10 * MINUTE_MS, (m) => ({
      count: 10,
      errors: m === T0 ? 1 : 0,
      errorTypes: m === T0 ? { timeout: 1 } : ({} as Record<string, number>),
    }));
    expect(providerDownCheck(rule, one, T0 + 4 * MINUTE_MS, scope)).toBeUndefined();
    const limited = history(T0, T0 + 10 * MINUTE_MS, () => ({ count: 10, errors: 6, errorTypes: { rate_limit: 6 } }));
    expect(providerDownCheck(rule, limited, T0 + 9 * MINUTE_MS, scope)).toBeUndefined();
    // One attempt in 15 minutes, failed: never (q = 2% is no evidence at 99.9%).
    const lone = history(T0, T0 + 15 * MINUTE_MS, (m) =>
      m === T0 + 14 * MINUTE_MS ? { count: 1, errors: 1, errorTypes: { connection_error: 1 } } : {},
    );
    expect(providerDownCheck(rule, lone, T0 + 14 * MINUTE_MS, scope)).toBeUndefined();
  });
  it('total outage is a statistical decision: two failed attempts and no success, unless the provider is flaky', () => {
    // Issue 13: no minimum attempt count. Two attempts in 12 minutes, both failed, none succeeded:
    // a healthy provider (failing at most 2%) does that with probability 4e-4 < 0.1%.
    const twoFailed = (m: number): MinuteSpec =>
      m === T0 + DAY_MS + 3 * MINUTE_MS || m === T0 + DAY_MS + 14 * MINUTE_MS
        ? { count: 1, errors: 1, errorTypes: { connection_error: 1 } }
        : {};
    const few = history(T0 + DAY_MS, T0 + DAY_MS + 15 * MINUTE_MS, twoFailed);
    expect(providerDownCheck(rule, few, T0 + DAY_MS + 14 * MINUTE_MS, scope)).toBe(
      'provider openai: no successful request in 12 min (2 attempted, 2 failed)',
    );
    // The same two failures at a provider that failed 6% of its requests over the last day:
    // 0.06² = 3.6e-3 is not evidence; a third failed attempt (2.2e-4) is.
    const flaky = (m: number): MinuteSpec =>
      m < T0 + DAY_MS ? { count: 50, errors: 3, errorTypes: { server_error: 3 } } : twoFailed(m);
    const h = history(T0, T0 + DAY_MS + 15 * MINUTE_MS, flaky);
    expect(providerDownCheck(rule, h, T0 + DAY_MS + 14 * MINUTE_MS, scope)).toBeUndefined();
    const three = history(T0, T0 + DAY_MS + 15 * MINUTE_MS, (m) =>
      m === T0 + DAY_MS + 9 * MINUTE_MS ? { count: 1, errors: 1, errorTypes: { timeout: 1 } } : flaky(m),
    );
    expect(providerDownCheck(rule, three, T0 + DAY_MS + 14 * MINUTE_MS, scope)).toBe(
      'provider openai: no successful request in 12 min (3 attempted, 3 failed)',
    );
  });
});

describe('cost-anomaly', () => {
  const rule = COST_ANOMALY_DEFAULTS;
  // Daily rhythm: 4x between night and peak, like the simulator.
  const rhythm = (m: number): number =>
    0.25 + 0.75 * (0.5 + 0.5 * Math.cos((2 * Math.PI * ((m % DAY_MS) / HOUR_MS - 16)) / 24));
  const normal = (m: number): MinuteSpec => ({ count: Math.round(40 * rhythm(m)), costUsd: 0.5 * rhythm(m) });
  it('fires on a cost rate above 5x normal, with the numbers', () => {
    const bug = T0 + 3 * DAY_MS + 13 * HOUR_MS;
    const h = history(T0, bug + HOUR_MS, (m) =>
      m >= bug ? { ...normal(m), costUsd: 10 * normal(m).costUsd! } : normal(m),
    );
    const evs = drive(h, bug - HOUR_MS, bug + HOUR_MS, (m) => costAnomalyCheck(rule, h, m, service), rule);
    const fired = evs.find((e) => e.kind === 'fired');
    expect(fired?.summary).toMatch(
      /^cost rate \$[\d.]+\/h vs normal \$[\d.]+\/h \(\d+\.\dx\) over 15 min on checkout$/,
    );
    expect(fired!.m - bug).toBeLessThan(25 * MINUTE_MS);
  });
  it('does not fire for cost within forecast: the daily rhythm over a week', () => {
    const end = T0 + 7 * DAY_MS;
    const h = history(T0, end, normal);
    expect(drive(h, T0, end, (m) => costAnomalyCheck(rule, h, m, service), rule)).toEqual([]);
  });
  it('fires when the projected day is above 2x the trailing daily average', () => {
    const day = T0 + 4 * DAY_MS;
    const h = history(T0, day + 12 * HOUR_MS, (m) =>
      m >= day ? { ...normal(m), costUsd: 2.6 * normal(m).costUsd! } : normal(m),
    );
    expect(costAnomalyCheck(rule, h, day + 12 * HOUR_MS - MINUTE_MS, service)).toMatch(
      /^projected daily cost \$[\d.]+ vs 7-day average \$[\d.]+ \(2\.\dx\) on checkout$/,
    );
  });
});

describe('output-drift', () => {
  const rule = OUTPUT_DRIFT_DEFAULTS;
  const mix = { answer: 7, clarify: 2, refusal: 1 };
  it('fires when the label mix shifts (KL above 0.1), and not on sampling noise', () => {
    const drift = T0 + 2 * DAY_MS;
    const h = history(T0, drift + 2 * HOUR_MS, (m) => ({
      count: 10,
      outputLabels: m >= drift ? { answer: 3, clarify: 3, refusal: 4 } : mix,
    }));
    const evs = drive(h, drift - HOUR_MS, drift + 2 * HOUR_MS, (m) => outputDriftCheck(rule, h, m, service), rule);
    expect(evs.find((e) => e.kind === 'fired')?.summary).toMatch(
      /^output mix KL 0\.\d{3} > 0\.1 over 60 min \(\d+ outputs\) vs 7-day reference on checkout: answer \d+\.\d% \(was 70\.0%\)$/,
    );
    const steady = history(T0, drift + 2 * HOUR_MS, (m) => ({
      count: 10,
      outputLabels: m % (2 * MINUTE_MS) ? { answer: 8, clarify: 1, refusal: 1 } : { answer: 6, clarify: 3, refusal: 1 },
    }));
    expect(drive(steady, drift, drift + 2 * HOUR_MS, (m) => outputDriftCheck(rule, steady, m, service), rule)).toEqual(
      [],
    );
  });
  it('smoothed KL is finite for labels missing on one side, and 0 for identical mixes', () => {
    expect(klDivergence({ a: 10 }, { b: 10 })).toBeGreaterThan(0);
    expect(Number.isFinite(klDivergence({ a: 10 }, { b: 10 }))).toBe(true);
    expect(klDivergence({ a: 5, b: 5 }, { a: 50, b: 50 })).toBeCloseTo(0, 2);
  });
});

describe('retrieval-drop and negative-feedback', () => {
  it('retrieval hit rate below baseline by the margin fires; a new service without baseline does not', () => {
    const drop = T0 + DAY_MS;
    const h = history(T0, drop + HOUR_MS, (m) =>
      m >= drop ? { retrievalHits: 4, retrievalMisses: 6 } : { retrievalHits: 8, retrievalMisses: 2 },
    );
    const evs = drive(
      h,
      drop,
      drop + HOUR_MS,
      (m) => retrievalDropCheck(RETRIEVAL_DROP_DEFAULTS, h, m, service),
      RETRIEVAL_DROP_DEFAULTS,
    );
    expect(evs.find((e) => e.kind === 'fired')?.summary).toMatch(
      /^retrieval hit rate \d+\.\d% \(\d+\/\d+\) vs baseline 80\.0% over (8|15|30) min on checkout$/,
    );
    const fresh = history(drop, drop + HOUR_MS, () => ({ retrievalHits: 1, retrievalMisses: 9 }));
    expect(retrievalDropCheck(RETRIEVAL_DROP_DEFAULTS, fresh, drop + HOUR_MS - MINUTE_MS, service)).toBeUndefined();
  });
  it('negative feedback above baseline fires; one thumbs-down does not', () => {
    const rise = T0 + DAY_MS;
    const h = history(T0, rise + 2 * HOUR_MS, (m) =>
      m >= rise ? { feedbackUp: 1, feedbackDown: 2 } : { feedbackUp: 2, feedbackDown: m % (5 * MINUTE_MS) ? 0 : 1 },
    );
    const evs = drive(
      h,
      rise,
      rise + 2 * HOUR_MS,
      (m) => negativeFeedbackCheck(NEGATIVE_FEEDBACK_DEFAULTS, h, m, service),
      NEGATIVE_FEEDBACK_DEFAULTS,
    );
    expect(evs.find((e) => e.kind === 'fired')?.summary).toMatch(
      /^negative feedback \d+\.\d% \(\d+\/\d+ rated\) vs baseline \d+\.\d% over (15|30|60) min on checkout$/,
    );
    const one = history(T0, rise + HOUR_MS, (m) => ({ feedbackUp: 2, feedbackDown: m === rise ? 1 : 0 }));
    expect(
      drive(
        one,
        rise,
        rise + HOUR_MS,
        (m) => negativeFeedbackCheck(NEGATIVE_FEEDBACK_DEFAULTS, one, m, service),
        NEGATIVE_FEEDBACK_DEFAULTS,
      ),
    ).toEqual([]);
  });
});

describe('eval-accuracy', () => {
  const runs = (accs: number[]): EvalRun[] =>
    accs.map((accuracy, i) => ({
      suite: 's',
      ts: T0 + i * HOUR_MS,
      accuracy,
      passed: Math.round(accuracy * 300),
      total: 300,
    }));
  const trailing = runs([0.88, 0.87, 0.89, 0.9, 0.88, 0.86, 0.89, 0.88]);
  it('pages on a run below the threshold or a significant drop, with the numbers', () => {
    expect(
      evalAccuracyCheck(
        EVAL_ACCURACY_DEFAULTS,
        { suite: 's', ts: T0 + DAY_MS, accuracy: 0.6, passed: 180, total: 300 },
        trailing,
      ),
    ).toBe('s accuracy 60.0% (180/300) below threshold 70.0%');
    expect(
      evalAccuracyCheck(
        EVAL_ACCURACY_DEFAULTS,
        { suite: 's', ts: T0 + DAY_MS, accuracy: 0.75, passed: 225, total: 300 },
        trailing,
      ),
    ).toMatch(/^s accuracy 75\.0% \(225\/300\) vs trailing median 88\.0% \(-13\.0 points, \d+\.\d sd, over 8 runs\)$/);
  });
  it('does not page on usual jitter or without enough trailing runs', () => {
    expect(
      evalAccuracyCheck(
        EVAL_ACCURACY_DEFAULTS,
        { suite: 's', ts: T0 + DAY_MS, accuracy: 0.85, passed: 255, total: 300 },
        trailing,
      ),
    ).toBeUndefined();
    expect(
      evalAccuracyCheck(EVAL_ACCURACY_DEFAULTS, { suite: 's', ts: T0 + DAY_MS, accuracy: 0.75 }, trailing.slice(0, 3)),
    ).toBeUndefined();
  });
});

describe('eval-accuracy: a robust level and the spread of a week, not of the last 24 runs (issue 13)', () => {
  // A healthy hourly suite: 88.3% ± 2.13 points (1 point of model jitter plus 300 items'
  // binomial noise), normal quantiles in a shuffled order, whose last 24 runs happen to sit
  // tight (± 1.2 points).
  const normalRuns = (n: number, sd: number): number[] =>
    Array.from({ length: n }, (_, i) => 0.883 + sd * normalQuantile((((i * 37) % n) + 0.5) / n));
  const accs = [...normalRuns(144, 0.0213), ...normalRuns(24, 0.012)];
  const runsOf = (values: readonly number[]): EvalRun[] =>
    values.map((accuracy, i) => ({ suite: 's', ts: T0 + i * HOUR_MS, accuracy, total: 300 }));
  const week = runsOf(accs);
  const at = (accuracy: number): EvalRun => ({ suite: 's', ts: T0 + 168 * HOUR_MS, accuracy, total: 300 });
  it('a low run within the suite’s usual spread does not page, though it is beyond 4 sd of the last 24 runs', () => {
    const twentyFourRuns = { ...EVAL_ACCURACY_DEFAULTS, sdRuns: 24, zScore: 4 };
    expect(evalAccuracyCheck(twentyFourRuns, at(0.793), week)).toMatch(/-9\.0 points, 4\.\d sd, over 24 runs/);
    expect(evalAccuracyCheck(EVAL_ACCURACY_DEFAULTS, at(0.793), week)).toBeUndefined();
  });
  it('a 20-point drop still pages on its first run; 15 points are ~7 sd', () => {
    expect(evalAccuracyCheck(EVAL_ACCURACY_DEFAULTS, at(0.683), week)).toMatch(/below threshold/);
    expect(evalAccuracyCheck(EVAL_ACCURACY_DEFAULTS, at(0.733), week)).toMatch(
      /vs trailing median 88\.3% \(-15\.0 points, [67]\.\d sd, over 24 runs\)$/,
    );
  });
  it('one bogus 0.0 run, or an earlier incident, neither widens the spread nor drags the level', () => {
    const drop = at(0.723);
    // A broken harness reported 0.0 thirty runs ago.
    const bogus = [...accs];
    bogus[168 - 30] = 0;
    expect(evalAccuracyCheck(EVAL_ACCURACY_DEFAULTS, drop, runsOf(bogus))).toMatch(/-16\.0 points/);
    // Six runs at 40% three days ago, and six more within the last 24 runs.
    const incident = [...accs];
    for (let k = 0; k < 6; k++) {
      incident[90 + k] = 0.4;
      incident[150 + k] = 0.4;
    }
    expect(evalAccuracyCheck(EVAL_ACCURACY_DEFAULTS, drop, runsOf(incident))).toMatch(/\(-1[56]\.\d points, \d\.\d sd/);
  });
});

describe('novel-error signatures', () => {
  it('strips ids, numbers, uuids and quoted values', () => {
    expect(normaliseErrorMessage("ValidationError: tool_call.arguments missing field 'sku' (req 9f86d081884c)")).toBe(
      'ValidationError: tool_call.arguments missing field <q> (req <id>)',
    );
    expect(normaliseErrorMessage('Request 123e4567-e89b-12d3-a456-426614174000 timed out after 30000ms')).toBe(
      'Request <uuid> timed out after <n>ms',
    );
    expect(normaliseErrorMessage('user "bob" over quota 0x1f')).toBe('user <q> over quota <id>');
    expect(errorSignature('timeout', 'after 1000ms')).toBe(errorSignature('timeout', 'after 2500ms'));
    expect(errorSignature('timeout', 'x')).not.toBe(errorSignature('server_error', 'x'));
  });
});

describe('weekly review rules', () => {
  it('model-version-change: a new model for a known (service, provider), not a brand-new pair', () => {
    const rule = { newForMs: 7 * DAY_MS, learningMs: DAY_MS };
    const r = modelVersionChangeCheck(
      rule,
      [
        { model: 'gpt-4o', firstSeen: T0 },
        { model: 'gpt-4o-2026-11-20', firstSeen: T0 + 3 * DAY_MS },
      ],
      T0 + 3 * DAY_MS + HOUR_MS,
      'checkout · openai',
    );
    expect(r?.summary).toBe(
      'new model gpt-4o-2026-11-20 seen on checkout · openai since 2026-11-05T00:00Z (before: gpt-4o)',
    );
    expect(
      modelVersionChangeCheck(
        rule,
        [
          { model: 'a', firstSeen: T0 },
          { model: 'b', firstSeen: T0 + HOUR_MS },
        ],
        T0 + 2 * HOUR_MS,
        'x',
      ),
    ).toBeUndefined();
    expect(
      modelVersionChangeCheck(
        rule,
        [
          { model: 'a', firstSeen: T0 },
          { model: 'b', firstSeen: T0 + 2 * DAY_MS },
        ],
        T0 + 10 * DAY_MS,
        'x',
      ),
    ).toBeUndefined();
  });
  it('input-mix-trend, cost-trend and eval-coverage report with numbers and stay quiet otherwise', () => {
    expect(inputMixTrendCheck({ threshold: 0.2, minSamples: 100 }, { a: 100, b: 900 }, { a: 600, b: 400 })).toMatch(
      /^request mix moved 50\.0% \(total variation\) week over week \(1000 → 1000 requests\): /,
    );
    expect(
      inputMixTrendCheck({ threshold: 0.2, minSamples: 100 }, { a: 520, b: 480 }, { a: 500, b: 500 }),
    ).toBeUndefined();
    const agg = (costUsd: number): Agg => ({ ...emptyAgg(), costUsd });
    expect(costTrendCheck({ growth: 0.3, minWeeklyCostUsd: 1 }, agg(140), agg(100), 'checkout')).toBe(
      'cost $140 this week vs $100 last week (+40%) on checkout',
    );
    expect(costTrendCheck({ growth: 0.3, minWeeklyCostUsd: 1 }, agg(120), agg(100), 'checkout')).toBeUndefined();
    expect(evalCoverageCheck({ maxGapMs: 7 * DAY_MS }, 'golden', T0, T0 + 8 * DAY_MS)).toBe(
      'eval suite golden has not run for 8.0 d (last run 2026-11-02T00:00Z)',
    );
    expect(evalCoverageCheck({ maxGapMs: 7 * DAY_MS }, 'golden', T0, T0 + 6 * DAY_MS)).toBeUndefined();
  });
});

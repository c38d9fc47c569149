import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { emptyAgg, type Agg } from '../../shared/rollup/agg.js';
import { ScopeHistory } from '../../shared/rollup/history.js';
import { newSketch } from '../../shared/rollup/sketch-codec.js';
import { calendarSlot } from '../../shared/rules/calendar.js';
import { COST_ANOMALY_DEFAULTS, costAnomalyCheck } from '../../shared/rules/cost-anomaly.js';
import { ERROR_RATE_DEFAULTS, errorRateCheck } from '../../shared/rules/error-rate.js';
import { PROVIDER_DOWN_DEFAULTS, providerDownCheck } from '../../shared/rules/provider-down.js';
import { NEGATIVE_FEEDBACK_DEFAULTS, negativeFeedbackCheck } from '../../shared/rules/rate-shift.js';
import { providerScope, seriesScope, serviceScope } from '../../shared/rules/scope.js';
import { INACTIVE, step, type RuleState } from '../../shared/rules/state-machine.js';

/**
 * Issue 13 items 1–2 at the rule level: deterministic request streams at a given rate (requests
 * are spread evenly; `fails(j)` says whether the j-th request of the episode fails) through each
 * rule's check and the state machine, minute by minute, as the runtime drives them.
 */
const T0 = Date.UTC(2026, 10, 7, 10); // a Saturday: weekend traffic
const S = T0 + 2 * HOUR_MS; // the episode starts after two quiet hours
const series = seriesScope({ service: 'small', provider: 'openai', model: 'gpt-4o-mini' });
const provider = providerScope('openai');

/** The runtime's timing for each rule (error-rate's `for` is the span its decision proves). */
const ER_TIMING = { forMs: MINUTE_MS, keepFiringForMs: ERROR_RATE_DEFAULTS.keepFiringForMs };
const PD_TIMING = PROVIDER_DOWN_DEFAULTS;

interface Stream {
  /** Requests per minute (fractions spread evenly). */
  rate: number;
  /** Episode [from, to): inside it, `fails(j)` for the j-th request since `from`; outside, none fail. */
  from: number;
  to: number;
  fails: (j: number) => boolean;
  /** error_type of a failure. */
  type?: string;
  /** A background failure outside the episode: the k-th request overall. */
  background?: (k: number) => boolean;
}

function build(s: Stream, end: number): ScopeHistory {
  const h = new ScopeHistory();
  let k = 0;
  let j = 0;
  for (let m = T0, t = 0; m < end; m += MINUTE_MS, t++) {
    const count = Math.floor((t + 1) * s.rate) - Math.floor(t * s.rate);
    const agg: Agg = { ...emptyAgg(), count };
    for (let i = 0; i < count; i++, k++) {
      const inEpisode = m >= s.from && m < s.to;
      const failed = inEpisode ? s.fails(j++) : (s.background?.(k) ?? false);
      if (failed) {
        agg.errors++;
        const type = s.type ?? 'server_error';
        agg.errorTypes[type] = (agg.errorTypes[type] ?? 0) + 1;
      }
    }
    if (count > 0) h.addMinute({ ...agg, minute: m, latency: newSketch() });
  }
  return h;
}

/** The first minute (event time the alert carries: evaluated minute + 1) the rule fires, or undefined. */
function firedAt(
  h: ScopeHistory,
  end: number,
  check: (m: number) => string | undefined,
  timing: { forMs: number; keepFiringForMs: number },
): { at: number; summary: string } | undefined {
  let s: RuleState = INACTIVE;
  for (let m = T0; m < end; m += MINUTE_MS) {
    const summary = check(m);
    const tr = step(s, summary !== undefined, m, timing);
    s = tr.state;
    if (tr.kind === 'fired' && summary) return { at: m + MINUTE_MS, summary };
  }
  return undefined;
}

const er = ERROR_RATE_DEFAULTS;
const pd = PROVIDER_DOWN_DEFAULTS;
const errorRate = (h: ScopeHistory) => (m: number) => errorRateCheck(er, h, m, series);
const providerDown = (h: ScopeHistory) => (m: number) => providerDownCheck(pd, h, m, provider);
/** j-th request fails when the running count of a `share` crosses an integer: exactly `share` of them. */
const share = (p: number) => (j: number) => Math.floor((j + 1) * p) > Math.floor(j * p);

describe('provider-down pages fast at any traffic level (issue 13, item 1)', () => {
  it.each([2, 20, 200])('total outage at %i req/min pages within 2 minutes', (rate) => {
    const end = S + 30 * MINUTE_MS;
    const h = build({ rate, from: S, to: end, fails: () => true, type: 'connection_error' }, end);
    const f = firedAt(h, end, providerDown(h), PD_TIMING);
    expect(f?.summary).toMatch(/^provider openai: no successful request in \d+ min \(\d+ attempted, \d+ failed\)$/);
    expect(f!.at - S).toBeLessThanOrEqual(2 * MINUTE_MS);
  });

  it.each([2, 20, 200])(
    'partial outage (85 percent availability errors) at %i req/min pages within 5 minutes',
    (rate) => {
      const end = S + 30 * MINUTE_MS;
      const h = build({ rate, from: S, to: end, fails: share(0.85), type: 'server_error' }, end);
      const f = firedAt(h, end, providerDown(h), PD_TIMING);
      // Runs of failures between the successes may also prove "no success among the attempts".
      expect(f?.summary).toMatch(
        /^provider openai: (\d+\.\d% of \d+ requests failed with connection\/5xx\/timeout errors|no successful request)/,
      );
      expect(f!.at - S).toBeLessThanOrEqual(5 * MINUTE_MS);
    },
  );

  it('a one-minute blip of failures, rate limits, or 40% timeouts do not page', () => {
    const end = S + 30 * MINUTE_MS;
    const blip = build({ rate: 200, from: S, to: S + MINUTE_MS, fails: () => true }, end);
    expect(firedAt(blip, end, providerDown(blip), PD_TIMING)).toBeUndefined();
    const limited = build({ rate: 20, from: S, to: end, fails: share(0.9), type: 'rate_limit' }, end);
    expect(firedAt(limited, end, providerDown(limited), PD_TIMING)).toBeUndefined();
    const minority = build({ rate: 200, from: S, to: end, fails: share(0.4), type: 'timeout' }, end);
    expect(firedAt(minority, end, providerDown(minority), PD_TIMING)).toBeUndefined();
  });
});

describe('error-rate: the evidence decides, not a minimum count (issue 13, item 2)', () => {
  it('a 5 req/min service with a third of requests failing for 15 minutes pages within them', () => {
    const end = S + 15 * MINUTE_MS;
    const h = build({ rate: 5, from: S, to: end, fails: share(1 / 3) }, end + HOUR_MS);
    const f = firedAt(h, end + HOUR_MS, errorRate(h), ER_TIMING);
    expect(f?.summary).toMatch(
      /^error rate \d+\.\d% \(\d+\/\d+\) over \d+ min, above 5% at 97\.5% confidence, on small/,
    );
    expect(f!.at).toBeLessThanOrEqual(end);
    // "for 10 min" still holds (the span may reach a minute before the onset).
    expect(f!.at - S).toBeGreaterThanOrEqual(er.forMs - MINUTE_MS);
  });

  it('a 10 req/min service at weekend traffic (5 req/min) with 12% errors for 14 minutes pages', () => {
    const end = S + 14 * MINUTE_MS;
    const h = build({ rate: 5, from: S, to: end, fails: share(0.12) }, end + HOUR_MS);
    const f = firedAt(h, end + HOUR_MS, errorRate(h), ER_TIMING);
    expect(f?.summary).toMatch(/^error rate \d+\.\d% \(\d+\/\d+\) over 1\d min/);
    expect(f!.at).toBeLessThanOrEqual(end);
  });

  it('at 200 req/min a 20% spike pages after `for` (10 min), a 3-minute burst never', () => {
    const end = S + 30 * MINUTE_MS;
    const h = build({ rate: 200, from: S, to: end, fails: share(0.2) }, end);
    const ttd = firedAt(h, end, errorRate(h), ER_TIMING)!.at - S;
    expect(ttd).toBeGreaterThanOrEqual(9 * MINUTE_MS);
    expect(ttd).toBeLessThanOrEqual(11 * MINUTE_MS);
    const burst = build({ rate: 200, from: S, to: S + 3 * MINUTE_MS, fails: () => true }, end);
    expect(firedAt(burst, end, errorRate(burst), ER_TIMING)).toBeUndefined();
  });

  it('healthy services (0.5% errors) from 2 to 200 req/min stay quiet for a day', () => {
    for (const rate of [2, 5, 20, 60, 200]) {
      const end = T0 + DAY_MS;
      // Failures every 200th request, plus a cluster of three in a row once.
      const h = build(
        { rate, from: end, to: end, fails: () => false, background: (k) => k % 200 === 17 || (k >= 500 && k < 503) },
        end,
      );
      expect(firedAt(h, end, errorRate(h), ER_TIMING), `${rate} req/min`).toBeUndefined();
      expect(firedAt(h, end, providerDown(h), PD_TIMING), `${rate} req/min`).toBeUndefined();
    }
  });

  it('one failed request never pages, at any traffic level (error rate and provider down)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 5_000 }),
        fc.constantFrom('server_error', 'connection_error', 'timeout', 'rate_limit'),
        (rate, which, type) => {
          const end = S + 90 * MINUTE_MS;
          const h = build({ rate, from: end, to: end, fails: () => false, background: (k) => k === which, type }, end);
          expect(firedAt(h, end, errorRate(h), ER_TIMING)).toBeUndefined();
          expect(firedAt(h, end, providerDown(h), PD_TIMING)).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('negative-feedback across many services (issue 13, item 3)', () => {
  const rule = NEGATIVE_FEEDBACK_DEFAULTS;
  const svc = serviceScope('small');
  /** A week of 15% thumbs down, then an hour with `down` of `rated`. */
  function fb(down: number, rated: number): { h: ScopeHistory; m: number } {
    const h = new ScopeHistory();
    const start = T0 - 7 * DAY_MS;
    for (let m = start; m < T0; m += MINUTE_MS) {
      h.addMinute({ ...emptyAgg(), count: 20, feedbackUp: 17, feedbackDown: 3, minute: m, latency: newSketch() });
    }
    for (let i = 0; i < 60; i++) {
      const d = Math.floor(((i + 1) * down) / 60) - Math.floor((i * down) / 60);
      const r = Math.floor(((i + 1) * rated) / 60) - Math.floor((i * rated) / 60);
      h.addMinute({
        ...emptyAgg(),
        count: 20,
        feedbackUp: r - d,
        feedbackDown: d,
        minute: T0 + i * MINUTE_MS,
        latency: newSketch(),
      });
    }
    return { h, m: T0 + 59 * MINUTE_MS };
  }
  it('16 of 47 rated against a 15% baseline is chance among a dozen services: no ticket', () => {
    const { h, m } = fb(16, 47);
    expect(negativeFeedbackCheck(rule, h, m, svc, { scopesTested: 12 })).toBeUndefined();
    expect(negativeFeedbackCheck(rule, h, m, svc, { scopesTested: 1 })).toBeUndefined();
  });
  it('60% of 50 rated is a ticket even among 30 services; 1 of 1 never is', () => {
    const { h, m } = fb(30, 50);
    expect(negativeFeedbackCheck(rule, h, m, svc, { scopesTested: 30 })).toMatch(
      /^negative feedback 6\d\.\d% \(\d+\/\d+ rated\) vs baseline 15\.0% over \d+ min on small$/,
    );
    const one = fb(1, 1);
    expect(negativeFeedbackCheck(rule, one.h, one.m, svc, { scopesTested: 1 })).toBeUndefined();
  });
});

describe('cost-anomaly baselines know the calendar (issue 13)', () => {
  const rule = { ...COST_ANOMALY_DEFAULTS, timeZone: 'Europe/Berlin' };
  const svc = serviceScope('shop');
  const SAT = Date.UTC(2026, 10, 6, 23); // Saturday 00:00 in Berlin
  /** Daily rhythm (4:1 peak to night); a B2B service: weekends at a tenth of a weekday. */
  const perMinute = (m: number): number =>
    (0.25 + 0.75 * (0.5 + 0.5 * Math.cos((2 * Math.PI * ((m % DAY_MS) / HOUR_MS - 14)) / 24))) *
    (calendarSlot(m, rule.timeZone).weekend ? 0.1 : 1);
  function shop(from: number, to: number, factor: (m: number) => number = () => 1): ScopeHistory {
    const h = new ScopeHistory();
    for (let m = from; m < to; m += MINUTE_MS) {
      const count = Math.max(1, Math.round(40 * perMinute(m)));
      h.addMinute({ ...emptyAgg(), count, costUsd: 0.01 * count * factor(m), minute: m, latency: newSketch() });
    }
    return h;
  }
  const pages = (h: ScopeHistory, from: number, to: number): string[] => {
    const out: string[] = [];
    let s: RuleState = INACTIVE;
    for (let m = from; m < to; m += MINUTE_MS) {
      const summary = costAnomalyCheck(rule, h, m, svc);
      const tr = step(s, summary !== undefined, m, rule);
      s = tr.state;
      if (tr.kind === 'fired' && summary) out.push(summary);
    }
    return out;
  };
  it('a service that started on Saturday is not paged on Monday for being a weekday', () => {
    const end = SAT + 3 * DAY_MS; // through Monday
    const h = shop(SAT, end);
    expect(pages(h, SAT, end)).toEqual([]);
  });
  it('a real cost bug on that Monday still pages', () => {
    const bug = SAT + 2 * DAY_MS + 13 * HOUR_MS;
    const h = shop(SAT, bug + 2 * HOUR_MS, (m) => (m >= bug ? 10 : 1));
    const fired = pages(h, bug - HOUR_MS, bug + 2 * HOUR_MS);
    expect(fired[0]).toMatch(/^cost rate \$[\d.]+\/h vs normal \$[\d.]+\/h \(\d+\.\dx\) over 15 min on shop$/);
  });
  it('a new service behaving normally is never paged in its first week', () => {
    const start = SAT + 2 * DAY_MS + 9 * HOUR_MS; // Monday morning
    const end = start + 7 * DAY_MS;
    const h = shop(start, end);
    expect(pages(h, start, end)).toEqual([]);
  });
});

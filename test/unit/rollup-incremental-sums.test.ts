import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { emptyAgg, type Agg } from '../../shared/rollup/agg.js';
import { ScopeHistory, type MinutePoint } from '../../shared/rollup/history.js';
import { newSketch } from '../../shared/rollup/sketch-codec.js';
import { cusumOverRing, type CusumCounts, type CusumEnd } from '../../shared/rules/cusum-walk.js';
import { trailingSums } from '../../shared/rules/spans.js';

/** One request of 1+1 tokens costing $0.50: a minute the float sums must keep in order. */
const ONE_PRICED_REQUEST: Agg = { ...emptyAgg(), count: 1, tokensIn: 1, tokensOut: 1, costUsd: 0.5 };

/**
 * ScopeHistory answers windows and closed-hour sums from running totals, output labels from
 * windows that slide minute by minute, and trailingSums from one flat array (the rule engine's
 * speed-up). These must answer exactly what the straightforward sums answer: the same integers,
 * the same float sums (same order), the same label maps in the same key order (drift iterates
 * them), over random minute sequences with gaps, repeated/late minutes (refused), evictions
 * from small rings, and windows ending after the newest minute or before it.
 */
const T0 = Date.UTC(2026, 10, 2, 9, 37);
const LABELS = ['answer', 'refusal', 'clarify', 'tool_call'] as const;
const ERROR_TYPES = ['timeout', 'server_error', 'rate_limit'] as const;

const countMap = <K extends string>(keys: readonly K[]): fc.Arbitrary<Record<string, number>> =>
  fc
    .uniqueArray(fc.constantFrom(...keys), { maxLength: keys.length })
    .chain((ks) => fc.tuple(fc.constant(ks), fc.array(fc.nat(30), { minLength: ks.length, maxLength: ks.length })))
    .map(([ks, vs]) => Object.fromEntries(ks.map((k, i) => [k, vs[i] ?? 0])));

/** One step: how far after the previous minute (0 = the same minute again: refused), and its data. */
const step = fc.record({
  gap: fc.constantFrom(0, 1, 1, 1, 1, 2, 3, 7, 45, 61, 130),
  count: fc.nat(200),
  errors: fc.nat(20),
  unpriced: fc.nat(3),
  tokensIn: fc.double({ min: 0, max: 5000, noNaN: true }),
  tokensOut: fc.double({ min: 0, max: 5000, noNaN: true }),
  costUsd: fc.double({ min: 0, max: 3, noNaN: true }),
  retrievalHits: fc.nat(50),
  retrievalMisses: fc.nat(50),
  feedbackUp: fc.nat(10),
  feedbackDown: fc.nat(10),
  outputLabels: countMap(LABELS),
  errorTypes: countMap(ERROR_TYPES),
  /** Where the window queried after this step ends, relative to the newest minute. */
  endShift: fc.constantFrom(0, 0, 0, 1, 2, -1, -5),
});

function plain(a: Readonly<Agg>): unknown {
  // Labels first: read before the error types, a window answers them from its sliding labels.
  const outputLabels = Object.entries(a.outputLabels);
  return {
    count: a.count,
    errors: a.errors,
    tokensIn: a.tokensIn,
    tokensOut: a.tokensOut,
    costUsd: a.costUsd,
    unpriced: a.unpriced,
    retrievalHits: a.retrievalHits,
    retrievalMisses: a.retrievalMisses,
    feedbackUp: a.feedbackUp,
    feedbackDown: a.feedbackDown,
    // Entries, not the object: the key order is part of the answer.
    errorTypes: Object.entries(a.errorTypes),
    outputLabels,
  };
}

function point(minute: number, s: Agg): MinutePoint {
  return { ...s, minute, latency: newSketch() };
}

const SPANS_MIN = [1, 5, 8, 15, 30, 60];

describe('incremental window sums equal the straightforward sums', () => {
  it('window(): counters, floats and label maps (with key order), as the rules ask every minute', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 250 }), fc.constantFrom(20, 64, 120), (steps, ring) => {
        const h = new ScopeHistory({ minutes: ring, hours: 6 });
        let m = T0;
        for (const s of steps) {
          m += s.gap * MINUTE_MS;
          const { gap: _g, endShift, ...data } = s;
          h.addMinute(point(m, data));
          const end = m + endShift * MINUTE_MS;
          for (const span of SPANS_MIN) {
            const fast = h.window(end, span * MINUTE_MS);
            const slow = h.walkWindow(end - span * MINUTE_MS + MINUTE_MS, end);
            expect(plain(fast)).toEqual(plain(slow));
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('window(): labels read only some minutes still slide correctly (drift reads them, other rules do not)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(step, fc.boolean()), { minLength: 1, maxLength: 200 }), (steps) => {
        const h = new ScopeHistory({ minutes: 90, hours: 4 });
        let m = T0;
        for (const [s, read] of steps) {
          m += s.gap * MINUTE_MS;
          const { gap: _g, endShift: _e, ...data } = s;
          h.addMinute(point(m, data));
          if (!read) continue;
          const w = h.window(m, 60 * MINUTE_MS);
          expect(Object.entries(w.outputLabels)).toEqual(
            Object.entries(h.walkWindow(m - 59 * MINUTE_MS, m).outputLabels),
          );
        }
      }),
      { numRuns: 150 },
    );
  });

  it('sumHours() over closed hours and spans holding the open hour, including ring evictions', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 1, maxLength: 300 }),
        fc.array(fc.tuple(fc.nat(12), fc.nat(12)), { minLength: 1, maxLength: 8 }),
        (steps, queries) => {
          const h = new ScopeHistory({ minutes: 30, hours: 8 });
          let m = T0;
          for (const s of steps) {
            m += s.gap * MINUTE_MS;
            const { gap: _g, endShift: _e, ...data } = s;
            h.addMinute(point(m, data));
            const openHour = Math.floor(m / HOUR_MS) * HOUR_MS;
            for (const [back, len] of queries) {
              // Ends at or before the open hour's start: only closed hours are summed.
              const end = openHour - back * HOUR_MS + (back % 3) * 7 * MINUTE_MS;
              const from = end - len * HOUR_MS - (len % 2) * 13 * MINUTE_MS;
              expect(plain(h.sumHours(from, end))).toEqual(plain(h.addHours(from, end)));
              // Spans reaching into the open hour (the weekly rules, at the hour's close).
              const later = openHour + ((back % 4) + 1) * HOUR_MS;
              expect(plain(h.sumHours(later - len * HOUR_MS, later))).toEqual(
                plain(h.addHours(later - len * HOUR_MS, later)),
              );
            }
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('trailingSums(): every span equals its own sum', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 40 }), (steps, max) => {
        const h = new ScopeHistory({ minutes: 50, hours: 4 });
        let m = T0;
        for (const s of steps) {
          m += s.gap * MINUTE_MS;
          const { gap: _g, endShift: _e, ...data } = s;
          h.addMinute(point(m, data));
        }
        const sums = trailingSums(h, m, max, 2, (p, into, at) => {
          into[at] = p.count;
          into[at + 1] = p.errors;
        });
        for (let span = 0; span <= max + 2; span++) {
          const w = span === 0 || span > max ? { count: 0, errors: 0 } : h.walkWindow(m - (span - 1) * MINUTE_MS, m);
          expect([sums.at(span, 0), sums.at(span, 1)]).toEqual([w.count, w.errors]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a window read after its minutes left the ring fails loudly instead of answering wrongly', () => {
    const h = new ScopeHistory({ minutes: 3, hours: 2 });
    const data = ONE_PRICED_REQUEST;
    for (let i = 0; i < 3; i++) h.addMinute(point(T0 + i * MINUTE_MS, data));
    const w = h.window(T0 + 2 * MINUTE_MS, 3 * MINUTE_MS);
    for (let i = 3; i < 6; i++) h.addMinute(point(T0 + i * MINUTE_MS, data));
    expect(w.count).toBe(3);
    expect(() => w.costUsd).toThrow(/left the ring/);
    // The labels too, sliding window or not: never a partial map.
    expect(() => w.outputLabels).toThrow(/left the ring/);
  });

  it('a sum holding the open hour read after that hour changed fails loudly', () => {
    const h = new ScopeHistory({ minutes: 5, hours: 4 });
    const data = ONE_PRICED_REQUEST;
    const hour = Math.floor(T0 / HOUR_MS) * HOUR_MS;
    h.addMinute(point(hour, data));
    const sum = h.sumHours(hour - HOUR_MS, hour + HOUR_MS);
    h.addMinute(point(hour + MINUTE_MS, data));
    expect(sum.count).toBe(1);
    expect(() => sum.costUsd).toThrow(/open hour changed/);
  });
});

describe('the resumed CUSUM walk equals a fresh walk', () => {
  it('over random trials, with evictions, changed steps and minutes asked out of order', () => {
    const trial = fc.record({
      gap: fc.constantFrom(1, 1, 1, 2, 9),
      hits: fc.nat(12),
      rest: fc.nat(12),
      /** Rarely, ask about an older minute (the walk must not resume from a later one). */
      back: fc.nat(30).map((n) => (n === 0 ? 3 : 0)),
      /** Rarely, switch the steps (a new baseline hour moves p0/p1); runs long enough to evict the last reset. */
      steps: fc.nat(40).map((n) => (n === 0 ? 1 : n === 1 ? 2 : 0)),
    });
    const STEPS = [
      [Math.log(0.45 / 0.15), Math.log(0.55 / 0.85)],
      [Math.log(0.5 / 0.2), Math.log(0.5 / 0.8)],
      [Math.log(0.3 / 0.6), Math.log(0.7 / 0.4)],
    ] as const;
    fc.assert(
      fc.property(
        fc.array(trial, { minLength: 1, maxLength: 300 }),
        fc.constantFrom(8, 15, 60, 120),
        (trials, ring) => {
          const h = new ScopeHistory({ minutes: ring, hours: 3 });
          let m = T0;
          for (const t of trials) {
            m += t.gap * MINUTE_MS;
            h.addMinute(point(m, { ...emptyAgg(), feedbackDown: t.hits, feedbackUp: t.rest }));
            const [hit, miss] = STEPS[t.steps] ?? STEPS[0];
            const at = m - t.back * MINUTE_MS;
            const counts = ['feedbackDown', 'feedbackUp'] as const;
            expect(cusumOverRing(h, at, counts, hit, miss)).toEqual(cusumWalk(h, at, counts, hit, miss));
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

/** The same walk, from scratch (what `cusumOverRing` must answer). */
function cusumWalk(
  h: ScopeHistory,
  minute: number,
  [hitsKey, missesKey]: CusumCounts,
  hit: number,
  miss: number,
): CusumEnd {
  let s = 0;
  let run: { hits: number; total: number; since: number | undefined } = { hits: 0, total: 0, since: undefined };
  for (const p of h.minutes) {
    if (p.minute > minute) break;
    const hits = p[hitsKey];
    const total = hits + p[missesKey];
    if (total === 0) continue;
    s += hits * hit + (total - hits) * miss;
    if (s <= 0) {
      s = 0;
      run = { hits: 0, total: 0, since: undefined };
      continue;
    }
    if (run.total === 0) run.since = p.minute;
    run.hits += hits;
    run.total += total;
  }
  return { s, ...run };
}

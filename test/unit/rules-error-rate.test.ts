import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../shared/clock.js';
import type { MinuteCounts } from '../../shared/rollup/window.js';
import {
  ERROR_RATE_DEFAULTS,
  errorRateSummary,
  evaluate,
  type ErrorRateEvaluation,
} from '../../shared/rules/error-rate.js';
import { INACTIVE, type RuleState } from '../../shared/rules/state-machine.js';

const rule = { ...ERROR_RATE_DEFAULTS };
const T0 = Date.UTC(2026, 10, 1, 12, 0);

/** Per-minute [count, errors] starting at T0; evaluates each minute in order like the runtime. */
function run(series: [number, number][], start: RuleState = INACTIVE): ErrorRateEvaluation[] {
  const minutes: MinuteCounts[] = series.map(([count, errors], i) => ({ minute: T0 + i * MINUTE_MS, count, errors }));
  const out: ErrorRateEvaluation[] = [];
  let state = start;
  for (let i = 0; i < series.length; i++) {
    const ev = evaluate(rule, state, minutes, T0 + i * MINUTE_MS);
    out.push(ev);
    state = ev.state;
  }
  return out;
}
const kinds = (evs: ErrorRateEvaluation[]): string[] => evs.map((e) => e.kind);
const repeat = <T extends [number, number]>(n: number, v: T): [number, number][] => Array.from({ length: n }, () => v);

describe('error-rate rule (pure state machine over event-time minutes)', () => {
  it('goes pending at once and fires after `for` (10 consecutive minutes), not before', () => {
    const evs = run(repeat(12, [100, 30]));
    expect(evs[0]?.kind).toBe('pending');
    expect(kinds(evs).indexOf('fired')).toBe(9);
    expect(evs.slice(1, 9).every((e) => e.kind === 'none' && e.state.phase === 'pending')).toBe(true);
    expect(evs[11]?.state.phase).toBe('firing');
  });

  it('never pages on a single failure', () => {
    const series: [number, number][] = repeat(30, [100, 0]);
    series[10] = [1, 1];
    expect(kinds(run(series)).every((k) => k === 'none')).toBe(true);
  });

  it('needs the minimum sample count in the window', () => {
    // 9 requests per minute, all errors: 45 < 50 samples in 5 minutes.
    expect(kinds(run(repeat(20, [9, 9]))).every((k) => k === 'none')).toBe(true);
    // 10 per minute reaches 50 after 5 minutes, then needs 10 more true minutes.
    const evs = run(repeat(20, [10, 10]));
    expect(kinds(evs).indexOf('pending')).toBe(4);
    expect(kinds(evs).indexOf('fired')).toBe(13);
  });

  it('exactly 5% is not above the threshold', () => {
    expect(kinds(run(repeat(15, [100, 5]))).every((k) => k === 'none')).toBe(true);
  });

  it('a dip while pending clears, and `for` starts over', () => {
    // Bad minutes 0-3 keep the 5-minute window above 5% through minute 7 (8 true minutes < 10).
    const series: [number, number][] = [...repeat(4, [100, 30]), ...repeat(6, [100, 0]), ...repeat(12, [100, 30])];
    const k = kinds(run(series));
    expect(k.indexOf('cleared')).toBe(8);
    expect(k.lastIndexOf('pending')).toBe(10);
    expect(k.indexOf('fired')).toBe(19);
  });

  it('resolves only after keep_firing_for of false minutes', () => {
    const series: [number, number][] = [...repeat(10, [100, 30]), ...repeat(20, [100, 0])];
    const evs = run(series);
    expect(kinds(evs).indexOf('fired')).toBe(9);
    // The 5-minute window holds errors until minute 14 (last bad minute 9 leaves the window at 14),
    // then keep_firing_for adds 5 more minutes: the condition is last true at 13, resolved at 18.
    expect(evs[13]?.conditionTrue).toBe(true);
    expect(evs[14]?.conditionTrue).toBe(false);
    expect(kinds(evs).indexOf('resolved')).toBe(18);
    expect(evs[18]?.state.phase).toBe('inactive');
  });

  it('keeps the alert id while firing and drops it on resolve', () => {
    const firing: RuleState = {
      phase: 'firing',
      activeSince: T0 - 20 * MINUTE_MS,
      lastTrueAt: T0 - MINUTE_MS,
      alertId: 'a1',
    };
    const evs = run(repeat(3, [100, 50]), firing);
    expect(evs.every((e) => e.state.alertId === 'a1')).toBe(true);
    const cleared = run(repeat(10, [100, 0]), { ...firing, lastTrueAt: T0 - MINUTE_MS });
    const resolved = cleared.find((e) => e.kind === 'resolved');
    expect(resolved?.state.alertId).toBeUndefined();
  });

  it('late data evaluates like live data: the verdict depends only on event-time minutes', () => {
    // The same counts evaluated "now" or replayed a day later give identical transitions.
    const series: [number, number][] = repeat(15, [60, 20]);
    const live = kinds(run(series));
    const minutes: MinuteCounts[] = series.map(([count, errors], i) => ({ minute: T0 + i * MINUTE_MS, count, errors }));
    let state: RuleState = INACTIVE;
    const replayed: string[] = [];
    for (let i = 0; i < series.length; i++) {
      const ev = evaluate(rule, state, [...minutes].reverse(), T0 + i * MINUTE_MS);
      replayed.push(ev.kind);
      state = ev.state;
    }
    expect(replayed).toEqual(live);
  });

  it('summarises with the numbers', () => {
    const s = errorRateSummary(
      rule,
      { service: 'checkout', provider: 'openai', model: 'gpt-4o' },
      { samples: 500, errors: 156 },
    );
    expect(s).toBe('error rate 31.2% (156/500) over 5 min for 10 min on checkout · openai/gpt-4o');
  });
});

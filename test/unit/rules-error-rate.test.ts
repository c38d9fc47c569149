import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../shared/clock.js';
import { emptyAgg } from '../../shared/rollup/agg.js';
import { ScopeHistory } from '../../shared/rollup/history.js';
import { newSketch } from '../../shared/rollup/sketch-codec.js';
import { ERROR_RATE_DEFAULTS, errorRateCheck } from '../../shared/rules/error-rate.js';
import { seriesScope } from '../../shared/rules/scope.js';
import { INACTIVE, step, type RuleState, type Transition } from '../../shared/rules/state-machine.js';

/**
 * The error-rate lifecycle through the one decision path the runtime uses (issue 13: the old
 * fixed-`minSamples` evaluate() is gone): errorRateCheck over a ScopeHistory fed minute by minute,
 * then the state machine with the runtime's timing (`for` is the span the decision proves, so the
 * machine fires the first minute the check holds).
 */
const rule = { ...ERROR_RATE_DEFAULTS };
const TIMING = { forMs: MINUTE_MS, keepFiringForMs: ERROR_RATE_DEFAULTS.keepFiringForMs };
const T0 = Date.UTC(2026, 10, 1, 12, 0);
const scope = seriesScope({ service: 'checkout', provider: 'openai', model: 'gpt-4o' });

interface Ev extends Transition {
  summary: string | undefined;
}

/** Per-minute [count, errors] from T0, each minute added then evaluated, like the runtime. */
function run(series: [number, number][], start: RuleState = INACTIVE): Ev[] {
  const h = new ScopeHistory();
  const out: Ev[] = [];
  let state = start;
  series.forEach(([count, errors], i) => {
    const m = T0 + i * MINUTE_MS;
    if (count > 0) h.addMinute({ ...emptyAgg(), count, errors, minute: m, latency: newSketch() });
    const summary = errorRateCheck(rule, h, m, scope);
    const tr = step(state, summary !== undefined, m, TIMING);
    out.push({ ...tr, summary });
    state = tr.state;
  });
  return out;
}
const kinds = (evs: Ev[]): string[] => evs.map((e) => e.kind);
const repeat = (n: number, v: [number, number]): [number, number][] => Array.from({ length: n }, () => v);

describe('error-rate rule (one decision path: the statistical check, then the state machine)', () => {
  it('fires once the rate is proven over `for` (10 minutes of the series), not before', () => {
    const evs = run(repeat(12, [100, 30]));
    expect(kinds(evs).indexOf('fired')).toBe(9);
    expect(evs.slice(0, 9).every((e) => e.summary === undefined)).toBe(true);
    expect(evs[11]?.state.phase).toBe('firing');
  });

  it('never pages on a single failure, at any traffic', () => {
    for (const rate of [1, 3, 100, 10_000]) {
      const series = repeat(40, [rate, 0]);
      series[10] = [rate, 1];
      expect(
        kinds(run(series)).every((k) => k === 'none'),
        `${rate} req/min`,
      ).toBe(true);
    }
  });

  it('needs no minimum request count: 9 requests a minute, all failing, pages', () => {
    // Detection v1 needed 50 requests per 5 minutes and stayed silent here forever.
    const evs = run(repeat(20, [9, 9]));
    expect(kinds(evs).indexOf('fired')).toBe(9);
    expect(evs[9]?.summary).toBe(
      'error rate 100.0% (90/90) over 10 min, above 5% at 97.5% confidence, on checkout · openai/gpt-4o',
    );
  });

  it('exactly 5% is not above the threshold, however many requests', () => {
    expect(kinds(run(repeat(40, [100, 5]))).every((k) => k === 'none')).toBe(true);
    expect(kinds(run(repeat(40, [20_000, 1_000]))).every((k) => k === 'none')).toBe(true);
  });

  it('a burst that is over does not fire; a new onset must last `for` again', () => {
    // 4 bad minutes then 40 quiet ones (past the 30-minute widest span): never "above 5% for 10 min".
    const series: [number, number][] = [...repeat(4, [100, 30]), ...repeat(40, [100, 0]), ...repeat(14, [100, 30])];
    const k = kinds(run(series));
    expect(k.slice(0, 44).every((x) => x === 'none')).toBe(true);
    // The second onset at minute 44 is proven over its own 10 minutes (the span may reach a minute early).
    expect(k.indexOf('fired')).toBeGreaterThanOrEqual(52);
    expect(k.indexOf('fired')).toBeLessThanOrEqual(53);
  });

  it('resolves only after keep_firing_for of false minutes', () => {
    const evs = run([...repeat(10, [100, 30]), ...repeat(20, [100, 0])]);
    expect(kinds(evs).indexOf('fired')).toBe(9);
    const lastTrue = evs.findLastIndex((e) => e.summary !== undefined);
    // The newest 5-minute window runs above 5% until the last bad minute leaves it.
    expect(lastTrue).toBeLessThanOrEqual(13);
    expect(kinds(evs).indexOf('resolved')).toBe(lastTrue + ERROR_RATE_DEFAULTS.keepFiringForMs / MINUTE_MS);
    expect(evs[kinds(evs).indexOf('resolved')]?.state.phase).toBe('inactive');
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
    const resolved = run(repeat(10, [100, 0]), firing).find((e) => e.kind === 'resolved');
    expect(resolved?.state.alertId).toBeUndefined();
  });

  it('the verdict depends only on the event-time minutes: replayed later, the same transitions', () => {
    const series: [number, number][] = repeat(15, [60, 20]);
    const live = kinds(run(series));
    // Replay: the whole history first, then every minute judged (the check reads only minutes ≤ m).
    const h = new ScopeHistory();
    series.forEach(([count, errors], i) =>
      h.addMinute({ ...emptyAgg(), count, errors, minute: T0 + i * MINUTE_MS, latency: newSketch() }),
    );
    let state: RuleState = INACTIVE;
    const replayed = series.map((_, i) => {
      const m = T0 + i * MINUTE_MS;
      const tr = step(state, errorRateCheck(rule, h, m, scope) !== undefined, m, TIMING);
      state = tr.state;
      return tr.kind;
    });
    expect(replayed).toEqual(live);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import { emptyAgg } from '../../shared/rollup/agg.js';
import { ScopeHistory } from '../../shared/rollup/history.js';
import { newSketch } from '../../shared/rollup/sketch-codec.js';
import { providerScope, seriesScope, serviceScope, type Scope } from '../../shared/rules/scope.js';
import type { WindowRule } from '../../shared/rules/window-rule.js';
import { windowRules } from '../../electron/collector/rules/catalog.js';

/**
 * The rule runtime skips an inactive rule on a scope with no data in the rule's declared window
 * (WindowRule.windowMs). That is only sound if such a check can never hold on an empty window:
 * this pins it for every rule that declares one, on histories that would trip them all.
 */
const T0 = Date.UTC(2026, 10, 2);
const SCOPES: Record<WindowRule['scope'], Scope> = {
  series: seriesScope({ service: 'checkout', provider: 'openai', model: 'gpt-4o' }),
  service: serviceScope('checkout'),
  provider: providerScope('openai'),
  fleet: { kind: 'fleet', key: 'fleet', labels: {}, name: 'all traffic' },
};

/** A day of calm traffic, then `badMinutes` of everything going wrong, then silence. */
function history(badMinutes: number, perMinute: number): { h: ScopeHistory; lastBad: number } {
  const h = new ScopeHistory();
  const calmEnd = T0 + 24 * HOUR_MS;
  let m = T0;
  for (; m < calmEnd; m += MINUTE_MS) {
    const latency = newSketch();
    for (let i = 0; i < perMinute; i++) latency.accept(800 + i);
    h.addMinute({
      ...emptyAgg(),
      count: perMinute,
      costUsd: perMinute * 0.001,
      outputLabels: { answer: perMinute },
      retrievalHits: perMinute,
      feedbackUp: perMinute,
      minute: m,
      latency,
    });
  }
  for (let i = 0; i < badMinutes; i++, m += MINUTE_MS) {
    const latency = newSketch();
    for (let j = 0; j < perMinute; j++) latency.accept(60_000 + j);
    h.addMinute({
      ...emptyAgg(),
      count: perMinute,
      errors: perMinute,
      errorTypes: { timeout: perMinute },
      costUsd: perMinute,
      outputLabels: { refusal: perMinute },
      retrievalMisses: perMinute,
      feedbackDown: perMinute,
      minute: m,
      latency,
    });
  }
  return { h, lastBad: m - MINUTE_MS };
}

describe('rules that declare a window never hold on an empty one', () => {
  const rules = windowRules(defaultCollectorConfig().rules).filter((r) => r.windowMs !== undefined);

  it('covers the per-request rules of the catalog', () => {
    expect(rules.map((r) => r.id).sort()).toEqual(
      ['error-rate', 'latency-p95', 'negative-feedback', 'output-drift', 'provider-down', 'retrieval-drop'].sort(),
    );
  });

  it('trip on the bad minutes, and answer nothing once their window holds no data', () => {
    fc.assert(
      fc.property(fc.integer({ min: 60, max: 90 }), fc.integer({ min: 40, max: 400 }), (badMinutes, perMinute) => {
        const { h, lastBad } = history(badMinutes, perMinute);
        for (const rule of rules) {
          const scope = SCOPES[rule.scope];
          // The history is bad enough to trip each rule while its window holds the bad minutes.
          expect(rule.check(h, lastBad, scope, { scopesTested: 1 }), rule.id).toBeTypeOf('string');
          const windowMs = rule.windowMs ?? 0;
          // The first minute whose window (m - windowMs, m] no longer reaches lastBad.
          const empty = lastBad + windowMs;
          expect(h.idleSince(empty - windowMs + MINUTE_MS)).toBe(true);
          expect(rule.check(h, empty, scope, { scopesTested: 1 }), rule.id).toBeUndefined();
        }
      }),
      { numRuns: 15 },
    );
  });
});

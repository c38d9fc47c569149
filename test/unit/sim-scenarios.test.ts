import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../shared/clock.js';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import { EFFECTS, SCENARIOS, SCENARIO_NAMES, createTraffic } from '../../shared/sim/index.js';
import type { ScenarioName, ScenarioTarget, TrafficBatch } from '../../shared/sim/index.js';

/** Monday 2026-11-02, 14:00–16:00 UTC: weekday peak, plenty of volume. */
const FROM = Date.UTC(2026, 10, 2, 14);
const TO = FROM + 2 * HOUR_MS;
const SEED = 5;

const base = createTraffic({ seed: SEED }).generate(FROM, TO);
function withScenario(name: ScenarioName, target?: ScenarioTarget, from = FROM, to = TO): TrafficBatch {
  return createTraffic({ seed: SEED, scenarios: [target ? { name, target } : name] }).generate(from, to);
}

const errorRate = (evs: LlmEventInput[]): number => evs.filter((e) => e.status === 'error').length / evs.length;
const sum = (evs: LlmEventInput[], f: (e: LlmEventInput) => number): number => evs.reduce((a, e) => a + f(e), 0);
function p95(evs: LlmEventInput[]): number {
  const s = evs.map((e) => e.latency_ms).sort((a, b) => a - b);
  return s[Math.floor(0.95 * s.length)] ?? NaN;
}
function labelMix(evs: LlmEventInput[]): Map<string, number> {
  const m = new Map<string, number>();
  const ok = evs.filter((e) => e.output_label !== undefined);
  for (const e of ok) m.set(e.output_label ?? '', (m.get(e.output_label ?? '') ?? 0) + 1 / ok.length);
  return m;
}
function kl(p: Map<string, number>, q: Map<string, number>): number {
  let d = 0;
  for (const [k, pk] of p) d += pk * Math.log(pk / (q.get(k) ?? 1e-9));
  return d;
}

describe('scenarios', () => {
  it('every scenario has a description and a default target', () => {
    for (const name of SCENARIO_NAMES) {
      expect(SCENARIOS[name].description.length).toBeGreaterThan(10);
      expect(Object.keys(SCENARIOS[name].defaultTarget).length).toBeGreaterThan(0);
    }
  });

  it('provider-outage: the target provider fails most requests, the others do not', () => {
    const r = withScenario('provider-outage');
    const openai = r.events.filter((e) => e.provider === 'openai');
    expect(errorRate(openai)).toBeGreaterThan(0.5);
    expect(errorRate(r.events.filter((e) => e.provider !== 'openai'))).toBeLessThan(0.02);
    expect(new Set(openai.map((e) => e.error_type))).toEqual(
      new Set(['connection_error', 'server_error', 'timeout', 'rate_limit', undefined]),
    );
  });

  it('provider-outage target can be overridden', () => {
    const r = withScenario('provider-outage', { provider: 'google' });
    expect(errorRate(r.events.filter((e) => e.provider === 'google'))).toBeGreaterThan(0.5);
    expect(errorRate(r.events.filter((e) => e.provider === 'openai'))).toBeLessThan(0.02);
  });

  it('latency-regression: p95 of the target model triples, others unchanged', () => {
    const r = withScenario('latency-regression');
    const okOf = (b: TrafficBatch, m: string) => b.events.filter((e) => e.model === m && e.status === 'ok');
    const ratio = p95(okOf(r, 'claude-sonnet-4')) / p95(okOf(base, 'claude-sonnet-4'));
    expect(ratio).toBeGreaterThan(2.7);
    expect(ratio).toBeLessThan(3.3);
    expect(p95(okOf(r, 'gpt-4o'))).toBe(p95(okOf(base, 'gpt-4o')));
  });

  it('cost-bug: the target service costs ~10x, with bursts of repeated calls', () => {
    const r = withScenario('cost-bug');
    const of = (b: TrafficBatch) => b.events.filter((e) => e.service === 'support-bot');
    const costRatio = sum(of(r), (e) => e.cost_usd ?? 0) / sum(of(base), (e) => e.cost_usd ?? 0);
    const tokenRatio =
      sum(of(r), (e) => e.input_tokens + e.output_tokens) / sum(of(base), (e) => e.input_tokens + e.output_tokens);
    expect(costRatio).toBeGreaterThan(7);
    expect(costRatio).toBeLessThan(14);
    expect(tokenRatio).toBeGreaterThan(7);
    expect(of(r).length / of(base).length).toBeGreaterThan(2.5);
    const other = (b: TrafficBatch) =>
      sum(
        b.events.filter((e) => e.service === 'search-rag'),
        (e) => e.cost_usd ?? 0,
      );
    expect(other(r)).toBeCloseTo(other(base), 6);
  });

  it('output-drift: the label mix of the target service shifts, others stay put', () => {
    const r = withScenario('output-drift');
    const of = (b: TrafficBatch, s: string) => labelMix(b.events.filter((e) => e.service === s));
    const shifted = kl(of(r, 'checkout-assistant'), of(base, 'checkout-assistant'));
    expect(shifted).toBeGreaterThan(0.1);
    expect(
      (of(base, 'checkout-assistant').get('answer') ?? 0) - (of(r, 'checkout-assistant').get('answer') ?? 0),
    ).toBeGreaterThan(0.15);
    expect(kl(of(r, 'support-bot'), of(base, 'support-bot'))).toBe(0);
  });

  it('eval-regression: the target suite loses ~20 points of accuracy', () => {
    const day = Date.UTC(2026, 10, 2);
    // Rate 0: evals only, no request events to generate.
    const before = createTraffic({ seed: SEED, baseRatePerSec: 0 }).generate(day, day + DAY_MS).evals;
    const after = createTraffic({ seed: SEED, baseRatePerSec: 0, scenarios: ['eval-regression'] }).generate(
      day,
      day + DAY_MS,
    ).evals;
    const mean = (evs: typeof before, suite: string) => {
      const xs = evs.filter((e) => e.suite === suite).map((e) => e.accuracy);
      return xs.reduce((a, x) => a + x, 0) / xs.length;
    };
    const drop = mean(before, 'search-rag-faithfulness') - mean(after, 'search-rag-faithfulness');
    expect(drop).toBeGreaterThan(EFFECTS.evalAccuracyDrop - 0.05);
    expect(mean(after, 'checkout-intents')).toBe(mean(before, 'checkout-intents'));
  });

  it('novel-error: a message never seen in normal traffic appears, without paging on error rate', () => {
    const weekOfBaseline = new Set(
      createTraffic({ seed: SEED, baseRatePerSec: 1 })
        .generate(FROM - 3 * DAY_MS, FROM)
        .events.map((e) => e.error_message)
        .filter((m) => m !== undefined),
    );
    expect(weekOfBaseline.size).toBeGreaterThan(3);
    const r = withScenario('novel-error');
    const novel = r.events.filter((e) => e.error_message !== undefined && !weekOfBaseline.has(e.error_message));
    expect(novel.length).toBeGreaterThan(50);
    expect(novel[0]?.error_message).toMatch(
      /^ValidationError: tool_call\.arguments missing field 'sku' \(req [0-9a-f]+\)$/,
    );
    expect(new Set(novel.map((e) => e.service))).toEqual(new Set(['checkout-assistant']));
    expect(errorRate(r.events.filter((e) => e.service === 'checkout-assistant'))).toBeLessThan(0.04);
  });

  it('error-spike: the target service errors ~20% of the time', () => {
    const rate = errorRate(withScenario('error-spike').events.filter((e) => e.service === 'search-rag'));
    expect(rate).toBeGreaterThan(0.15);
    expect(rate).toBeLessThan(0.25);
  });

  it('retrieval-drop: hit rate falls to ~45%', () => {
    const hitRate = (b: TrafficBatch) => {
      const xs = b.events.filter((e) => e.service === 'search-rag' && e.retrieval_hit !== undefined);
      return xs.filter((e) => e.retrieval_hit).length / xs.length;
    };
    expect(hitRate(base)).toBeGreaterThan(0.8);
    expect(hitRate(withScenario('retrieval-drop'))).toBeCloseTo(EFFECTS.retrievalHitRate, 1);
  });

  it('negative-feedback: thumbs-down rate rises several-fold', () => {
    const downs = (b: TrafficBatch) =>
      b.events.filter((e) => e.service === 'support-bot' && e.feedback === 'down').length;
    expect(downs(withScenario('negative-feedback')) / downs(base)).toBeGreaterThan(4);
  });

  it('a scenario applies only from its `since`, and switching it off restores normal traffic', () => {
    const mid = FROM + HOUR_MS;
    const t = createTraffic({ seed: SEED, scenarios: [{ name: 'error-spike', since: mid }] });
    const r = t.generate(FROM, TO).events.filter((e) => e.service === 'search-rag');
    expect(errorRate(r.filter((e) => (e.ts as number) < mid))).toBeLessThan(0.02);
    expect(errorRate(r.filter((e) => (e.ts as number) >= mid))).toBeGreaterThan(0.15);
    t.setScenario('error-spike', false);
    expect(t.active()).toEqual([]);
    expect(t.generate(FROM, TO)).toEqual(base);
    expect(t.list().find((s) => s.name === 'error-spike')?.active).toBe(false);
  });

  it('base traffic is identical with or without scenarios outside their target', () => {
    const r = withScenario('latency-regression', { model: 'gpt-4o' });
    const strip = (b: TrafficBatch) => b.events.filter((e) => e.model !== 'gpt-4o');
    expect(strip(r)).toEqual(strip(base));
  });
});

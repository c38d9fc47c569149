import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { LlmEvent } from '../../shared/protocol/events.js';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import { findPrice } from '../../shared/pricing/prices.js';
import {
  EvalResult,
  MODELS,
  SERVICES,
  createTraffic,
  dailyFactor,
  isWeekend,
  poisson,
  rngFor,
} from '../../shared/sim/index.js';

/** Monday 2026-11-02 00:00 UTC. */
const MONDAY = Date.UTC(2026, 10, 2);
const SATURDAY = MONDAY + 5 * DAY_MS;

const ts = (e: LlmEventInput): number => e.ts as number;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
}

// One simulated weekday, shared by the "normal traffic" checks.
const day = createTraffic({ seed: 7 }).generate(MONDAY, MONDAY + DAY_MS);

describe('traffic generator: determinism', () => {
  it('same seed, same traffic; another seed, other traffic', () => {
    const a = createTraffic({ seed: 11 }).generate(MONDAY + 14 * HOUR_MS, MONDAY + 14 * HOUR_MS + 5 * MINUTE_MS);
    const b = createTraffic({ seed: 11 }).generate(MONDAY + 14 * HOUR_MS, MONDAY + 14 * HOUR_MS + 5 * MINUTE_MS);
    const c = createTraffic({ seed: 12 }).generate(MONDAY + 14 * HOUR_MS, MONDAY + 14 * HOUR_MS + 5 * MINUTE_MS);
    expect(a.events.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(c.events).not.toEqual(a.events);
  });

  it('does not depend on how time is chunked (live ticks vs one backfill call)', () => {
    const from = MONDAY + 9 * HOUR_MS + 123;
    const to = from + 3 * MINUTE_MS;
    const whole = createTraffic({ seed: 3 }).generate(from, to);
    const t = createTraffic({ seed: 3 });
    const pieces: LlmEventInput[] = [];
    for (let x = from; x < to; x += 777) pieces.push(...t.generate(x, Math.min(to, x + 777)).events);
    expect(pieces).toEqual(whole.events);
  });

  it('emits events sorted by time, inside the range, valid for POST /v1/events', () => {
    let unsorted = 0;
    for (let i = 1; i < day.events.length; i++) if (ts(day.events[i]!) < ts(day.events[i - 1]!)) unsorted++;
    expect(unsorted).toBe(0);
    expect(ts(day.events[0]!)).toBeGreaterThanOrEqual(MONDAY);
    expect(ts(day.events.at(-1)!)).toBeLessThan(MONDAY + DAY_MS);
    for (const e of day.events.slice(0, 2000)) expect(LlmEvent.safeParse(e).success).toBe(true);
    for (const e of day.evals) expect(EvalResult.safeParse(e).success).toBe(true);
  });

  it('uses only models that are in the price table, and prices every ok request', () => {
    for (const m of MODELS) expect(findPrice(m.provider, m.model), m.model).toBeDefined();
    const unpriced = day.events.filter((e) => e.status === 'ok' && !((e.cost_usd ?? 0) > 0));
    expect(unpriced).toHaveLength(0);
  });

  it('poisson sampler has the right mean for small and large rates', () => {
    const rng = rngFor(1, 1, 1);
    for (const lambda of [0.3, 4, 80]) {
      let sum = 0;
      for (let i = 0; i < 20_000; i++) sum += poisson(rng, lambda);
      expect(sum / 20_000).toBeCloseTo(lambda, lambda < 1 ? 1 : 0);
    }
  });
});

describe('traffic generator: normal traffic looks like production', () => {
  it('never comes near a 5%-for-10-min error rate in any 10-minute window with enough volume', () => {
    const windows = new Map<string, { n: number; errors: number }>();
    for (const e of day.events) {
      const key = `${e.service}@${Math.floor(ts(e) / (10 * MINUTE_MS))}`;
      const w = windows.get(key) ?? { n: 0, errors: 0 };
      w.n++;
      if (e.status === 'error') w.errors++;
      windows.set(key, w);
    }
    const checked = [...windows.values()].filter((w) => w.n >= 300);
    expect(checked.length).toBeGreaterThan(200);
    const worst = Math.max(...checked.map((w) => w.errors / w.n));
    expect(worst).toBeLessThan(0.03);
    const overall = day.events.filter((e) => e.status === 'error').length / day.events.length;
    expect(overall).toBeGreaterThan(0.002);
    expect(overall).toBeLessThan(0.01);
  });

  it('has a daily rhythm (peak vs night) and quieter weekends', () => {
    const inHours = (a: number, b: number) =>
      day.events.filter((e) => ts(e) >= MONDAY + a * HOUR_MS && ts(e) < MONDAY + b * HOUR_MS).length;
    const ratio = inHours(15, 17) / inHours(3, 5);
    expect(ratio).toBeGreaterThan(2.5);
    expect(ratio).toBeLessThan(6);
    expect(dailyFactor(16 * HOUR_MS)).toBeCloseTo(1);
    expect(isWeekend(SATURDAY)).toBe(true);
    expect(isWeekend(MONDAY)).toBe(false);
    const sat = createTraffic({ seed: 7 }).generate(SATURDAY + 15 * HOUR_MS, SATURDAY + 17 * HOUR_MS).events.length;
    expect(sat / inHours(15, 17)).toBeLessThan(0.8);
  });

  it('peaks near the configured base rate', () => {
    const peak = inRange(day.events, MONDAY + 15.5 * HOUR_MS, MONDAY + 16.5 * HOUR_MS).length / 3600;
    expect(peak).toBeGreaterThan(7);
    expect(peak).toBeLessThan(9);
  });

  it('has per-model latency medians in a sensible range, small models fastest', () => {
    const ranges: Record<string, [number, number]> = {
      'gemini-2.5-flash': [500, 2500],
      'claude-haiku-4': [800, 3500],
      'gpt-4o-mini': [800, 3500],
      'gpt-4o': [1500, 6000],
      'gpt-4.1': [1500, 8000],
      'claude-sonnet-4': [2000, 8000],
      'gemini-2.5-pro': [2000, 8000],
      'claude-opus-4': [8000, 40_000],
    };
    const medians: Record<string, number> = {};
    for (const m of MODELS) {
      const lat = day.events.filter((e) => e.model === m.model && e.status === 'ok').map((e) => e.latency_ms);
      medians[m.model] = quantile(lat, 0.5);
      const [lo, hi] = ranges[m.model] ?? [0, 0];
      expect(medians[m.model], m.model).toBeGreaterThan(lo);
      expect(medians[m.model], m.model).toBeLessThan(hi);
    }
    expect(medians['gemini-2.5-flash']!).toBeLessThan(medians['claude-sonnet-4']!);
    expect(medians['claude-sonnet-4']!).toBeLessThan(medians['claude-opus-4']!);
  });

  it('gives every service its labels, RAG services retrieval hits, and a little feedback', () => {
    for (const s of SERVICES) {
      const ok = day.events.filter((e) => e.service === s.service && e.status === 'ok');
      const labels = new Set(ok.map((e) => e.output_label));
      expect([...labels].sort()).toEqual(s.labels.map((l) => l.value).sort());
      const hits = ok.filter((e) => e.retrieval_hit !== undefined);
      if (s.retrievalHitRate === undefined) expect(hits).toHaveLength(0);
      else expect(hits.filter((e) => e.retrieval_hit).length / hits.length).toBeCloseTo(s.retrievalHitRate, 1);
      const fb = ok.filter((e) => e.feedback !== undefined).length / ok.length;
      expect(fb).toBeGreaterThan(s.feedbackRate * 0.7);
      expect(fb).toBeLessThan(s.feedbackRate * 1.3);
    }
  });

  it('reports each eval suite hourly with a stable accuracy', () => {
    for (const s of SERVICES) {
      const runs = day.evals.filter((e) => e.suite === s.eval.suite);
      expect(runs).toHaveLength(24);
      const mean = runs.reduce((a, r) => a + r.accuracy, 0) / runs.length;
      expect(mean).toBeCloseTo(s.eval.baseAccuracy, 1);
    }
  });

  it('generates a simulated day in under 2 seconds', () => {
    const t = createTraffic({ seed: 99 });
    // CPU time, not wall time: test files run in parallel on few cores, and contention would
    // make a wall-clock budget flaky without saying anything about the generator.
    const cpu = process.cpuUsage();
    const { events } = t.generate(MONDAY + DAY_MS, MONDAY + 2 * DAY_MS);
    const used = process.cpuUsage(cpu);
    expect(events.length).toBeGreaterThan(300_000);
    expect((used.user + used.system) / 1000).toBeLessThan(2000);
  });
});

function inRange(events: LlmEventInput[], from: number, to: number): LlmEventInput[] {
  return events.filter((e) => ts(e) >= from && ts(e) < to);
}

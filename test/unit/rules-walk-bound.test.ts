import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MINUTE_MS, type Clock } from '../../shared/clock.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS, defaultCollectorConfig } from '../../shared/config/collector-config.js';
import type { LlmEvent } from '../../shared/protocol/events.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { IngestPipeline } from '../../electron/collector/ingest/ingest-pipeline.js';
import { Metrics } from '../../electron/collector/metrics.js';
import { RollupCache } from '../../electron/collector/rollup/rollup-cache.js';
import { MAX_MINUTES_PER_RUN, RuleRuntime } from '../../electron/collector/rules/rule-runtime.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';

/**
 * Issue 11: one event dated in the year 9999 (or in microseconds) made the rule runtime walk
 * minute by minute toward it, forever. Whatever timestamps an older, unchecked ingest stored
 * and whatever rule cursor it left, no evaluation walks more than MAX_MINUTES_PER_RUN minutes
 * and the watermark stays within the clock plus the allowed skew.
 */

const NOW = Date.UTC(2026, 11, 6, 12, 0);
const root = mkdtempSync(join(tmpdir(), 'vigil-walk-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function event(ts: number, status: 'ok' | 'error' = 'ok'): LlmEvent {
  return {
    ts,
    service: 'svc',
    provider: 'openai',
    model: 'gpt-4o',
    latency_ms: 100,
    input_tokens: 1,
    output_tokens: 1,
    status,
  };
}

/** A collector's ingest + rules on a fresh file; `unchecked` ingests as an older version did (no clock check). */
function open(dir: string, clock: Clock) {
  const store = openStore(join(dir, 'collector.db'), NOW);
  const metrics = new Metrics();
  const config = defaultCollectorConfig();
  const rules = new RuleRuntime(store, new AlertService(store, clock, 'collector'), metrics, config.rules, {
    clock,
  });
  const cache = new RollupCache(store);
  const unchecked = new IngestPipeline(store, cache, rules, metrics, clock, () => undefined, {
    maxFutureSkewMs: Infinity,
  });
  return { store, rules, metrics, unchecked };
}

/** Any integer epoch-ms, weighted toward the dangerous ones (far future, µs, ns-as-double, negative). */
const anyTs = fc.oneof(
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  fc.integer({ min: NOW - 30 * 24 * 60 * MINUTE_MS, max: NOW + 30 * 24 * 60 * MINUTE_MS }),
  fc.integer({ min: NOW, max: Date.UTC(9999, 11, 31) }),
  fc.constantFrom(Date.UTC(9999, 11, 31, 23, 59, 59), 1796538507000000, NOW * 1000, 8.64e15, -8.64e15, 0, NOW),
);

describe('rule evaluation walks a bounded number of minutes (property)', () => {
  it('no stored timestamp or cursor makes a run walk more than MAX_MINUTES_PER_RUN minutes', () => {
    fc.assert(
      fc.property(
        fc.array(anyTs, { minLength: 1, maxLength: 4 }),
        fc.option(anyTs, { nil: undefined }),
        fc.boolean(),
        (stamps, cursor, live) => {
          const dir = join(root, String(n++));
          mkdirSync(dir);
          const clock = { t: NOW };
          const c: Clock = { now: () => clock.t };
          let app = open(dir, c);
          try {
            if (live) app.unchecked.ingest([event(NOW - 30 * MINUTE_MS), event(NOW - MINUTE_MS, 'error')]);
            if (cursor !== undefined) app.store.rollupHistory.setMeta('rules_cursor', String(cursor));
            const t0 = performance.now();
            for (const ts of stamps) {
              app.unchecked.ingest([event(ts, 'error')]);
              expect(app.rules.lastWalk()).toBeLessThanOrEqual(MAX_MINUTES_PER_RUN);
              expect(app.rules.lastCompleteMinute() ?? -Infinity).toBeLessThanOrEqual(
                clock.t + DEFAULT_MAX_FUTURE_SKEW_MS,
              );
            }
            // Restart on the same data (cursor and rows as stored), an hour later.
            app.store.close();
            clock.t += 60 * MINUTE_MS;
            app = open(dir, c);
            app.rules.run(new Map());
            expect(app.rules.lastWalk()).toBeLessThanOrEqual(MAX_MINUTES_PER_RUN);
            expect(app.rules.lastCompleteMinute() ?? -Infinity).toBeLessThanOrEqual(
              clock.t + DEFAULT_MAX_FUTURE_SKEW_MS,
            );
            app.unchecked.ingest([event(clock.t)]);
            expect(app.rules.lastWalk()).toBeLessThanOrEqual(MAX_MINUTES_PER_RUN);
            // Bounded in time too (generous: the machine is shared).
            expect(performance.now() - t0).toBeLessThan(10_000);
          } finally {
            app.store.close();
            rmSync(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS, type Clock } from '../../shared/clock.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import type { LlmEvent } from '../../shared/protocol/events.js';
import type { WindowRule } from '../../shared/rules/window-rule.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { IngestPipeline } from '../../electron/collector/ingest/ingest-pipeline.js';
import { Metrics } from '../../electron/collector/metrics.js';
import { RollupCache } from '../../electron/collector/rollup/rollup-cache.js';
import { RuleRuntime } from '../../electron/collector/rules/rule-runtime.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { errorBurst } from '../fixtures/collector.js';
import { removeDir, tempDir } from './detection-harness.js';

/**
 * A rule whose check throws (a bug, or an input nobody foresaw) must not halt the engine: before,
 * the exception rolled the whole minute back and every later run retried from the same cursor,
 * so no rule could page again. Through real SQLite and the real ingest → rules → alerts chain.
 */
const START = Date.UTC(2026, 10, 3, 10, 0);
const key = { service: 'checkout', provider: 'openai', model: 'gpt-4o' };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) removeDir(d);
});

const broken: WindowRule = {
  id: 'broken-rule',
  tier: 'page',
  scope: 'series',
  cadence: 'minute',
  forMs: 0,
  keepFiringForMs: 0,
  check: () => {
    throw new Error('boom: a rule with a bug');
  },
};

describe('a rule check that throws', () => {
  it('is counted and logged once an hour; every other rule still decides and pages', () => {
    const dir = tempDir('vigil-rule-throws-');
    dirs.push(dir);
    const clock = { t: START };
    const c: Clock = { now: () => clock.t };
    const store = openStore(join(dir, 'collector.db'), START);
    const metrics = new Metrics();
    const logs: string[] = [];
    const rules = new RuleRuntime(
      store,
      new AlertService(store, c, 'collector'),
      metrics,
      defaultCollectorConfig().rules,
      {
        clock: c,
        log: (m) => logs.push(m),
        extraRules: [broken],
      },
    );
    const pipeline = new IngestPipeline(store, new RollupCache(store), rules, metrics, c, (m) => logs.push(m));
    const ingest = (events: unknown[]): void => {
      for (const e of events as LlmEvent[]) clock.t = Math.max(clock.t, e.ts);
      pipeline.ingest(events as LlmEvent[]);
    };
    // Two hours of healthy traffic, then 15 minutes at 30% errors.
    ingest(errorBurst({ ...key, startMs: START, minutes: 120, perMinute: 30, errorRate: 0 }));
    ingest(errorBurst({ ...key, startMs: START + 2 * HOUR_MS, minutes: 15, perMinute: 30, errorRate: 0.3 }));
    try {
      const alerts = store.listAlerts();
      expect(alerts.map((a) => `${a.ruleId} ${a.tier}`)).toContain('error-rate page');
      // The cursor moved on: the minutes are evaluated, not retried forever.
      expect(rules.lastCompleteMinute()).toBeGreaterThanOrEqual(START + 2 * HOUR_MS + 10 * MINUTE_MS);
      expect(metrics.ruleCheckFailures).toBeGreaterThan(100);
      expect(metrics.render()).toMatch(/^vigil_rule_check_failures_total \d{3,}$/m);
      const failures = logs.filter((l) => l.includes('boom: a rule with a bug'));
      // ~135 minutes of event time: logged in the first minute and once an hour after.
      expect(failures.length).toBeGreaterThanOrEqual(1);
      expect(failures.length).toBeLessThanOrEqual(3);
      expect(failures[0]).toMatch(/^rules: broken-rule on .*checkout.* failed/);
      expect(logs.filter((l) => l.startsWith('rule evaluation failed'))).toEqual([]);
    } finally {
      store.close();
    }
  });
});

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS, minuteFloor, type Clock } from '../../shared/clock.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS, defaultCollectorConfig } from '../../shared/config/collector-config.js';
import type { LlmEvent } from '../../shared/protocol/events.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { IngestPipeline } from '../../electron/collector/ingest/ingest-pipeline.js';
import { Metrics } from '../../electron/collector/metrics.js';
import { RollupCache } from '../../electron/collector/rollup/rollup-cache.js';
import { MAX_MINUTES_PER_RUN, RuleRuntime } from '../../electron/collector/rules/rule-runtime.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { CollectorStore } from '../../electron/collector/store/store.js';
import { errorBurst } from '../fixtures/collector.js';
import { plantFutureRows } from '../fixtures/future-rows.js';
import { removeDir, tempDir } from './detection-harness.js';

/**
 * Issue 11, event time vs the collector's clock, on the rule runtime with real SQLite and a
 * fake clock: a stored row ahead never drags the watermark past clock + skew (so live data is
 * still evaluated and an outage still pages), start-up skips and counts far-future rows, and
 * late data is counted.
 */

const START = Date.UTC(2026, 10, 3, 10, 0);
const key = { service: 'checkout', provider: 'openai', model: 'gpt-4o' };
const SKEW = DEFAULT_MAX_FUTURE_SKEW_MS;

interface Rig {
  store: CollectorStore;
  rules: RuleRuntime;
  metrics: Metrics;
  clock: { t: number };
  /** Today's ingest (refuses events too far ahead). */
  ingest: (events: LlmEvent[]) => void;
  /** An ingest without the clock check, as versions before issue 11 had. */
  ingestUnchecked: (events: LlmEvent[]) => void;
  /** Live traffic: minute by minute, the clock at the end of each minute. */
  live: (from: number, minutes: number, errorRate: number) => void;
  close: () => void;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

function rig(dir: string, start: number): Rig {
  const clock = { t: start };
  const c: Clock = { now: () => clock.t };
  const store = openStore(join(dir, 'collector.db'), start);
  const metrics = new Metrics();
  const alerts = new AlertService(store, c, 'collector');
  const rules = new RuleRuntime(store, alerts, metrics, defaultCollectorConfig().rules, { clock: c });
  const cache = new RollupCache(store);
  const pipeline = new IngestPipeline(store, cache, rules, metrics, c, () => undefined);
  const unchecked = new IngestPipeline(store, cache, rules, metrics, c, () => undefined, { maxFutureSkewMs: Infinity });
  let closed = false;
  const r: Rig = {
    store,
    rules,
    metrics,
    clock,
    ingest: (events) => void pipeline.ingest(events),
    ingestUnchecked: (events) => void unchecked.ingest(events),
    live: (from, minutes, errorRate) => {
      for (let m = 0; m < minutes; m++) {
        const startMs = from + m * MINUTE_MS;
        clock.t = Math.max(clock.t, startMs + MINUTE_MS);
        r.ingest(errorBurst({ ...key, startMs, minutes: 1, perMinute: 60, errorRate }) as LlmEvent[]);
      }
    },
    close: () => {
      if (closed) return;
      closed = true;
      store.close();
    },
  };
  cleanups.push(r.close);
  return r;
}

function dir(): string {
  const d = tempDir('vigil-rules-time-');
  cleanups.unshift(() => removeDir(d));
  return d;
}

const pages = (r: Rig) => r.store.listAlerts().filter((a) => a.tier === 'page' && a.status === 'firing');

describe('the evaluation watermark never passes the clock + maxFutureSkew', () => {
  it('today’s ingest refuses an event a day ahead with a 400 naming [i].ts, and stores nothing', () => {
    const r = rig(dir(), START);
    r.live(START - 30 * MINUTE_MS, 30, 0);
    const before = r.store.maxEventTs();
    let err: unknown;
    try {
      r.ingest([
        {
          ...(errorBurst({ ...key, startMs: r.clock.t, minutes: 1, perMinute: 1, errorRate: 0 })[0] as LlmEvent),
          ts: r.clock.t + DAY_MS,
        },
      ]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 400, field: '[0].ts' });
    expect((err as Error).message).toMatch(
      /1 d ahead of the collector's clock.*limit is 5 min \(ingest\.maxFutureSkew\)/,
    );
    expect(r.store.maxEventTs()).toBe(before);
    expect(r.metrics.eventsFutureRefused).toBe(1);
  });

  it('a stored row a day ahead (older ingest) does not move the watermark; a real outage afterwards still pages', () => {
    const r = rig(dir(), START);
    r.live(START - 60 * MINUTE_MS, 60, 0);
    const ahead = r.clock.t + DAY_MS;
    r.ingestUnchecked([
      { ...(errorBurst({ ...key, startMs: 0, minutes: 1, perMinute: 1, errorRate: 0 })[0] as LlmEvent), ts: ahead },
    ]);
    expect(r.store.loadBucket(key, minuteFloor(ahead))?.count).toBe(1); // stored as is…
    expect(r.rules.lastCompleteMinute()).toBeLessThanOrEqual(r.clock.t + SKEW); // …but not believed
    expect(r.store.maxEventTs()).toBeLessThanOrEqual(r.clock.t); // and the high-water mark is repaired
    expect(r.metrics.eventsFutureSkipped).toBe(1);
    // Without the clamp the cursor sat a day ahead and all of this was "late": silence for a day.
    r.live(r.clock.t, 15, 0.3);
    expect(pages(r)).toEqual([expect.objectContaining({ ruleId: 'error-rate', labels: key })]);
    expect(r.metrics.eventsLate).toBe(0);
  });
});

describe('start-up recovery from rows stored with a bad time', () => {
  it('skips and counts them, resets the cursor, walks a bounded number of minutes, and still pages', () => {
    const d = dir();
    const a = rig(d, START);
    a.live(START - 60 * MINUTE_MS, 60, 0);
    a.close();
    const file = join(d, 'collector.db');
    // The year 9999 (ISO form) with the rule cursor walked out there, then epoch microseconds sent as ms.
    plantFutureRows(file, Date.UTC(9999, 11, 31, 23, 59, 59), { cursor: minuteFloor(Date.UTC(9999, 11, 31)) });
    plantFutureRows(file, 1796538507000000, { count: 3 });

    const b = rig(d, START + 5 * MINUTE_MS);
    const t0 = performance.now();
    b.rules.run(new Map());
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(b.rules.lastWalk()).toBeLessThanOrEqual(MAX_MINUTES_PER_RUN);
    expect(b.metrics.eventsFutureSkipped).toBe(4);
    expect(b.store.maxEventTs()).toBeLessThanOrEqual(START);
    expect(Number(b.store.rollupHistory.getMeta('rules_cursor'))).toBeLessThanOrEqual(START);
    expect(b.rules.lastCompleteMinute()).toBeLessThanOrEqual(b.clock.t + SKEW);

    b.live(START, 15, 0.3);
    expect(pages(b)).toEqual([expect.objectContaining({ ruleId: 'error-rate', labels: key })]);
    b.close();
    // A second restart finds nothing left to repair (the mark was reset), and does not count again.
    const c = rig(d, b.clock.t);
    c.rules.run(new Map());
    expect(c.metrics.eventsFutureSkipped).toBe(0);
  });
});

describe('late data', () => {
  it('events for minutes already evaluated land in the rollups and are counted, never dropped silently', () => {
    const r = rig(dir(), START);
    r.live(START, 30, 0);
    const minute = START + 5 * MINUTE_MS;
    const before = r.store.loadBucket(key, minute)?.count ?? 0;
    r.ingest(errorBurst({ ...key, startMs: minute, minutes: 1, perMinute: 20, errorRate: 1 }) as LlmEvent[]);
    expect(r.metrics.eventsLate).toBe(20);
    expect(r.store.loadBucket(key, minute)?.count).toBe(before + 20);
    expect(r.metrics.render()).toMatch(/^vigil_events_late_total 20$/m);
    // Late errors never page (their minute was judged already).
    expect(pages(r)).toEqual([]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MINUTE_MS, type Clock } from '../../shared/clock.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import { Alert } from '../../shared/protocol/alert.js';
import type { LlmEvent } from '../../shared/protocol/events.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { acceptEvals } from '../../electron/collector/evals/eval-intake.js';
import { EvalRecorder } from '../../electron/collector/evals/eval-recorder.js';
import { EventTimeGuard, watermarkAt } from '../../electron/collector/ingest/event-time.js';
import { IngestPipeline } from '../../electron/collector/ingest/ingest-pipeline.js';
import { LabelCardinalityAlerts } from '../../electron/collector/ingest/label-alerts.js';
import { LabelCap } from '../../electron/collector/ingest/label-cap.js';
import { EV2_SENDER_LABEL, EventsV2Intake } from '../../electron/collector/integrations/events-v2.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { Metrics } from '../../electron/collector/metrics.js';
import { RollupCache } from '../../electron/collector/rollup/rollup-cache.js';
import { RuleRuntime } from '../../electron/collector/rules/rule-runtime.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { CollectorStore } from '../../electron/collector/store/store.js';

/** Review of issue 11, findings 3, 5, 6, 11, 13, 20 (the parts a unit can pin down). */

const NOW = Date.UTC(2026, 11, 6, 12, 0);
const root = mkdtempSync(join(tmpdir(), 'vigil-review11-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const tmpDb = (): string => join(root, `c${n++}.db`);
const clockAt = (t: number): Clock & { t: number } => ({
  t,
  now() {
    return this.t;
  },
});

function event(service: string, ts = NOW - MINUTE_MS): LlmEvent {
  return {
    ts,
    service,
    provider: 'openai',
    model: 'gpt-4o',
    latency_ms: 100,
    input_tokens: 1,
    output_tokens: 1,
    status: 'ok',
  };
}

describe('finding 20: one event-time ceiling', () => {
  it('RuleRuntime uses the guard it is given (no ceiling or default of its own)', () => {
    const store = openStore(tmpDb(), NOW);
    const clock = clockAt(NOW);
    const metrics = new Metrics();
    // A guard with no skew at all: an event one second ahead is beyond it, so the rules skip it.
    const guard = new EventTimeGuard(clock, 0);
    const rules = new RuleRuntime(
      store,
      new AlertService(store, clock, 'collector'),
      metrics,
      defaultCollectorConfig().rules,
      {
        clock,
        eventTime: guard,
      },
    );
    const ingest = new IngestPipeline(store, new RollupCache(store), rules, metrics, clock, () => undefined, {
      maxFutureSkewMs: Infinity, // the door lets it in (as an older version did); the rules must not use it
    });
    ingest.ingest([event('svc', NOW + 1000)]);
    expect(metrics.eventsFutureSkipped).toBe(1);
    store.close();
  });

  it('the watermark and the stats value never pass the clock; senderTime keeps only sane times', () => {
    const clock = clockAt(NOW);
    const guard = new EventTimeGuard(clock, 5 * MINUTE_MS);
    expect(guard.ceiling()).toBe(NOW + 5 * MINUTE_MS);
    expect(guard.watermark(NOW + 60_000)).toBe(NOW);
    expect(guard.watermark(NOW - 60_000)).toBe(NOW - 60_000);
    expect(watermarkAt(undefined, NOW)).toBeUndefined();
    expect(guard.senderTime(NOW - 60_000)).toBe(NOW - 60_000);
    expect(guard.senderTime(NOW + 60_000)).toBe(NOW); // within the skew: at most now
    expect(guard.senderTime(Date.parse('+275760-09-13T00:00:00Z'))).toBe(NOW);
    expect(guard.senderTime(Date.parse('20000-01-01T00:00:00Z'))).toBe(NOW);
    expect(guard.senderTime(Date.parse('0001-01-01T00:00:00Z'))).toBe(NOW);
    expect(guard.senderTime(Number.NaN)).toBe(NOW);
    expect(guard.senderTime(undefined)).toBe(NOW);
  });
});

describe('finding 11: stats().lastEventTs', () => {
  it('reports min(stored mark, now) when the store has the clock', () => {
    const clock = clockAt(NOW);
    const store = openStore(tmpDb(), NOW, { clock });
    const metrics = new Metrics();
    const rules = new RuleRuntime(
      store,
      new AlertService(store, clock, 'collector'),
      metrics,
      defaultCollectorConfig().rules,
      {
        clock,
      },
    );
    const ingest = new IngestPipeline(store, new RollupCache(store), rules, metrics, clock, () => undefined);
    ingest.ingest([event('svc', NOW + 2 * MINUTE_MS)]); // within the 5 min skew: stored
    expect(store.maxEventTs()).toBe(NOW + 2 * MINUTE_MS);
    expect(store.stats().lastEventTs).toBe(NOW);
    clock.t = NOW + 10 * MINUTE_MS;
    expect(store.stats().lastEventTs).toBe(NOW + 2 * MINUTE_MS);
    store.close();
  });
});

describe('finding 13: a failed ingest commit does not burn label-cap slots', () => {
  it('values admitted by a batch whose ingestBatch throws are free again', () => {
    const clock = clockAt(NOW);
    const real = openStore(tmpDb(), NOW);
    let fail = true;
    const store = new Proxy(real, {
      get(target, prop, recv) {
        if (prop === 'ingestBatch' && fail) {
          return () => {
            throw new Error('SQLITE_FULL: database or disk is full');
          };
        }
        return Reflect.get(target, prop, recv) as unknown;
      },
    }) as CollectorStore;
    const metrics = new Metrics();
    const alerts = new AlertService(store, clock, 'collector');
    const rules = new RuleRuntime(store, alerts, metrics, defaultCollectorConfig().rules, { clock });
    const cap = new LabelCap(3, { service: ['a'] });
    const ingest = new IngestPipeline(store, new RollupCache(store), rules, metrics, clock, () => undefined, {
      labels: { cap, alerts: new LabelCardinalityAlerts(alerts, store, clock, 3) },
    });
    // Fills the cap (b, c) and overflows it (d) — then the commit fails.
    expect(() => ingest.ingest(['b', 'c', 'd'].map((s) => event(s)))).toThrow(/disk is full/);
    expect(cap.has('service', 'b')).toBe(false);
    expect(cap.has('service', 'c')).toBe(false);
    expect(cap.stats().find((s) => s.label === 'service')).toEqual({ label: 'service', values: 1, overflowEvents: 0 });
    // The retry of other values gets the slots.
    fail = false;
    ingest.ingest(['x', 'y'].map((s) => event(s)));
    expect(cap.has('service', 'x')).toBe(true);
    expect(cap.has('service', 'y')).toBe(true);
    expect(cap.stats().find((s) => s.label === 'service')?.values).toBe(3);
    real.close();
  });
});

describe('finding 6: eval suites', () => {
  it('the eval cursor is written once per evaluation, not once per suite', () => {
    const clock = clockAt(NOW);
    const real = openStore(tmpDb(), NOW);
    let cursorWrites = 0;
    const history = new Proxy(real.rollupHistory, {
      get(target, prop, recv) {
        if (prop === 'setMeta')
          return (k: string, v: string) => {
            if (k === 'eval_rules_cursor') cursorWrites++;
            target.setMeta(k, v);
          };
        return Reflect.get(target, prop, recv) as unknown;
      },
    });
    const store = new Proxy(real, {
      get: (target, prop, recv) => (prop === 'rollupHistory' ? history : (Reflect.get(target, prop, recv) as unknown)),
    }) as CollectorStore;
    const rules = new RuleRuntime(
      store,
      new AlertService(store, clock, 'collector'),
      new Metrics(),
      defaultCollectorConfig().rules,
      {
        clock,
      },
    );
    const runs = Array.from({ length: 300 }, (_, i) => ({ suite: `suite-${i}`, ts: NOW - 1000, accuracy: 0.9 }));
    store.evals.insertEvalRuns(runs, 'http', NOW);
    rules.evaluateEvalsNow();
    expect(cursorWrites).toBe(1);
    const cursor = JSON.parse(real.rollupHistory.getMeta('eval_rules_cursor') ?? '{}') as Record<string, number>;
    expect(Object.keys(cursor)).toHaveLength(300);
    real.close();
  });

  it('a new suite past evals.maxSuites is a 400 naming it; known suites still record; nothing of a refused batch is stored', () => {
    const clock = clockAt(NOW);
    const store = openStore(tmpDb(), NOW);
    const recorder = new EvalRecorder(store, clock, new Metrics().ingest, () => undefined, 3);
    const body = (suites: string[]): string =>
      JSON.stringify(suites.map((suite) => ({ suite, ts: NOW - 1000, accuracy: 0.9 })));
    expect(acceptEvals(body(['a', 'b', 'a']), 100, recorder)).toEqual({ accepted: 3 });
    let err: unknown;
    try {
      acceptEvals(body(['a', 'c', 'd', 'e']), 100, recorder);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).field).toBe('[2].suite');
    expect((err as HttpError).message).toContain('evals.maxSuites');
    expect(store.evals.evalSuites()).toEqual(['a', 'b']);
    // Single object: the field is `suite`.
    expect(() => acceptEvals(JSON.stringify({ suite: 'z', ts: NOW, accuracy: 1 }), 100, recorder)).not.toThrow();
    try {
      acceptEvals(JSON.stringify({ suite: 'zz', ts: NOW, accuracy: 1 }), 100, recorder);
      expect.unreachable();
    } catch (e) {
      expect((e as HttpError).field).toBe('suite');
    }
    // A fresh recorder on the same file knows the stored suites (the cap holds across restarts).
    const again = new EvalRecorder(store, clock, new Metrics().ingest, () => undefined, 3);
    expect(() => again.checkSuites([{ suite: 'q', ts: NOW, accuracy: 1 }], () => 'suite')).toThrow(HttpError);
    expect(() => again.checkSuites([{ suite: 'b', ts: NOW, accuracy: 1 }], () => 'suite')).not.toThrow();
    store.close();
  });
});

describe('finding 5: events-v2 alerts are scoped by routing key', () => {
  const KEY_A = 'routing-key-a-0123456789abcdef';
  const KEY_B = 'routing-key-b-0123456789abcdef';

  function intake() {
    const clock = clockAt(NOW);
    const store = openStore(tmpDb(), NOW);
    const alerts = new AlertService(store, clock, 'collector');
    const ev2 = new EventsV2Intake({
      store,
      alerts,
      clock,
      metrics: new Metrics().ingest,
      routingKeys: [KEY_A, KEY_B],
    });
    const send = (key: string, action: string, dedup: string, bearer = false) =>
      ev2.handle(
        JSON.stringify({
          routing_key: key,
          event_action: action,
          dedup_key: dedup,
          ...(action === 'trigger' ? { payload: { summary: `from ${key}`, source: 'x', severity: 'critical' } } : {}),
        }),
        bearer,
      );
    return { store, alerts, send };
  }

  it('an alert triggered before the upgrade (stored under the bare dedup_key, no sender label) still resolves', () => {
    const { store, alerts, send } = intake();
    // What the previous version stored: the bare dedup_key, an alert without the sender label.
    const old = alerts.transact(() => {
      const a = alerts.fire({
        ruleId: 'ev2:x',
        tier: 'page',
        source: 'events-v2',
        summary: 'old',
        labels: { dedup_key: 'k' },
        firedAt: NOW,
      });
      store.integrationKeys.putIntegrationKey('events-v2', 'k', a.id, NOW);
      return a;
    });
    send(KEY_A, 'resolve', 'k');
    expect(store.getAlert(old.id)?.status).toBe('resolved');
  });

  it('a keyed sender cannot reach what the token holder triggers; the token holder keeps its bare identity', () => {
    const { store, send } = intake();
    send('anything', 'trigger', 'k', true);
    send(KEY_A, 'resolve', 'k');
    const [a] = store.listAlerts();
    expect(a?.status).toBe('firing');
    expect(a?.labels[EV2_SENDER_LABEL]).toBe('token');
    expect(() => Alert.parse(a)).not.toThrow();
    send('anything', 'resolve', 'k', true);
    expect(store.listAlerts()[0]?.status).toBe('resolved');
  });
});

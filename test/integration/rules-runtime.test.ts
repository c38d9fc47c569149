import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MINUTE_MS, type Clock } from '../../shared/clock.js';
import { parseCollectorConfig, type CollectorConfigInput } from '../../shared/config/collector-config.js';
import type { LlmEvent } from '../../shared/protocol/events.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { IngestPipeline } from '../../electron/collector/ingest/ingest-pipeline.js';
import { RollupMaintenance } from '../../electron/collector/maintenance/rollup-maintenance.js';
import { Metrics } from '../../electron/collector/metrics.js';
import { RemediationRunner } from '../../electron/collector/remediation/remediation-runner.js';
import { RollupCache } from '../../electron/collector/rollup/rollup-cache.js';
import { RuleRuntime } from '../../electron/collector/rules/rule-runtime.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { CollectorStore } from '../../electron/collector/store/store.js';
import { errorBurst } from '../fixtures/collector.js';
import { removeDir, tempDir } from './detection-harness.js';

/** The rule runtime through real SQLite, a real webhook server on 127.0.0.1 and a real child process. */
const key = { service: 'checkout', provider: 'openai', model: 'gpt-4o' };
const START = Date.UTC(2026, 10, 3, 10, 0);

interface Rig {
  store: CollectorStore;
  ingest: (events: unknown[]) => void;
  clock: { t: number };
  remediation: RemediationRunner;
  maintenance: RollupMaintenance;
  rules: RuleRuntime;
  kinds: () => string[];
  close: () => Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function rig(config: CollectorConfigInput, dir = tempDir('vigil-rules-')): Rig {
  const parsed = parseCollectorConfig(config);
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  const clock = { t: START };
  const c: Clock = { now: () => clock.t };
  const store = openStore(join(dir, 'collector.db'), START);
  const metrics = new Metrics();
  const alerts = new AlertService(store, c, 'collector');
  const rules = new RuleRuntime(store, alerts, metrics, parsed.config.rules, { clock: c });
  const remediation = new RemediationRunner(alerts, c, () => undefined);
  rules.onFired((a, r) => r.action && remediation.run(a, r.action));
  const cache = new RollupCache(store);
  const pipeline = new IngestPipeline(store, cache, rules, metrics, c, () => undefined);
  const maintenance = new RollupMaintenance(store, cache, rules, parsed.config.rollups, c, () => undefined);
  const r: Rig = {
    store,
    clock,
    remediation,
    maintenance,
    rules,
    ingest: (events) => {
      // A live sender: the collector's clock is at least the newest event time (ingest refuses
      // events more than ingest.maxFutureSkew ahead of it).
      for (const e of events as LlmEvent[]) clock.t = Math.max(clock.t, e.ts);
      pipeline.ingest(events as LlmEvent[]);
    },
    kinds: () => store.logAfter(0, 1000).map((l) => l.kind),
    close: async () => {
      await remediation.dispose();
      store.close();
      removeDir(dir);
    },
  };
  cleanups.push(r.close);
  return r;
}

async function webhookServer(status = 200): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(text));
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end('failover done');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/failover`, bodies, server };
}

describe('auto-remediation', () => {
  it('a webhook action runs on fire (alert JSON posted), is on the timeline, and the alert pages only if it persists', async () => {
    const hook = await webhookServer();
    const r = rig({ rules: { errorRate: { action: { webhook: { url: hook.url } }, pageIfPersists: '10m' } } });
    r.ingest(errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.3 }));
    let [alert] = r.store.listAlerts();
    expect(alert).toMatchObject({ ruleId: 'error-rate', status: 'pending', tier: 'page' });
    await r.remediation.idle();
    expect(hook.bodies).toHaveLength(1);
    expect(hook.bodies[0]).toMatchObject({ id: alert?.id, ruleId: 'error-rate', status: 'pending' });
    const log = r.store.logAfter(0, 100);
    expect(log.map((l) => l.kind)).toEqual(['fired', 'action-started', 'action-finished']);
    expect(log[2]?.note).toMatch(/^remediation succeeded: HTTP 200 failover done \(\d+ ms\)$/);
    // Still failing 10 minutes (event time) after it fired: it pages.
    r.ingest(errorBurst({ ...key, startMs: START + 15 * MINUTE_MS, minutes: 12, perMinute: 60, errorRate: 0.3 }));
    [alert] = r.store.listAlerts();
    expect(alert?.status).toBe('firing');
    expect(r.kinds()).toEqual(['fired', 'action-started', 'action-finished', 'updated']);
  });

  it('a command action gets the alert JSON on stdin; if the condition clears in time, nobody is paged', async () => {
    const script =
      "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{console.log(JSON.parse(s).ruleId);process.exit(0)})";
    const r = rig({
      rules: { errorRate: { action: { command: [process.execPath, '-e', script] }, pageIfPersists: '30m' } },
    });
    r.ingest(errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.3 }));
    await r.remediation.idle();
    const finished = r.store.logAfter(0, 100).find((l) => l.kind === 'action-finished');
    expect(finished?.note).toMatch(/^remediation succeeded: exit 0: error-rate \(\d+ ms\)$/);
    // Healthy again: resolves while still pending.
    r.ingest(errorBurst({ ...key, startMs: START + 15 * MINUTE_MS, minutes: 20, perMinute: 60, errorRate: 0 }));
    expect(r.store.listAlerts()[0]?.status).toBe('resolved');
    expect(r.kinds()).not.toContain('updated');
  });

  it('a failing or hanging action is recorded as failed (timeout), never thrown', async () => {
    const r = rig({
      rules: {
        errorRate: { action: { command: [process.execPath, '-e', 'setTimeout(()=>{}, 60000)'], timeout: 300 } },
      },
    });
    r.ingest(errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.3 }));
    expect(r.store.listAlerts()[0]?.status).toBe('firing'); // no pageIfPersists: pages at once
    await r.remediation.idle();
    expect(r.store.logAfter(0, 100).find((l) => l.kind === 'action-finished')?.note).toMatch(
      /^remediation failed: timed out after 300 ms/,
    );
    const closed = await webhookServer();
    await new Promise<void>((res) => closed.server.close(() => res()));
    const refused = rig({ rules: { errorRate: { action: { webhook: { url: closed.url } } } } });
    refused.ingest(errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.3 }));
    await refused.remediation.idle();
    expect(refused.store.logAfter(0, 100).find((l) => l.kind === 'action-finished')?.note).toMatch(
      /^remediation failed: .*ECONNREFUSED/,
    );
  });

  it('bad action config is rejected with the path named', () => {
    const bad = parseCollectorConfig({ rules: { errorRate: { action: { webhook: { url: 'ftp://x' } } } } });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/rules\.errorRate\.action/);
    const empty = parseCollectorConfig({ rules: { latencyP95: { action: { command: [] } } } });
    expect(!empty.ok && empty.errors.join('\n')).toMatch(/rules\.latencyP95\.action/);
    const typo = parseCollectorConfig({ rules: { costAnomaly: { rateFactr: 3 } } });
    expect(!typo.ok && typo.errors.join('\n')).toMatch(/rules\.costAnomaly/);
  });
});

describe('wall-clock gap and restart', () => {
  it('a firing alert resolves when live traffic stops (maintenance tick), not while replayed history is quiet', () => {
    const r = rig({});
    r.clock.t = START + 15 * MINUTE_MS; // live: event time ≈ wall time
    r.ingest(errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.3 }));
    expect(r.store.listAlerts()[0]?.status).toBe('firing');
    r.clock.t += 3 * MINUTE_MS;
    r.maintenance.tick();
    expect(r.store.listAlerts()[0]?.status).toBe('firing'); // not quiet long enough
    r.clock.t += 30 * MINUTE_MS;
    r.maintenance.tick();
    expect(r.store.listAlerts()[0]?.status).toBe('resolved');

    // Replayed history (event time a month behind the wall clock) is never overtaken.
    const old = rig({});
    old.clock.t = START + 30 * 24 * 60 * MINUTE_MS;
    old.ingest(errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.3 }));
    old.clock.t += 60 * MINUTE_MS;
    old.maintenance.tick();
    expect(old.store.listAlerts()[0]?.status).toBe('firing');
  });

  it('rule state, history and the cursor survive a restart: no second alert, and it still resolves', async () => {
    const dir = tempDir('vigil-rules-');
    const a = rig({}, dir);
    a.ingest(errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.3 }));
    expect(a.store.listAlerts()).toHaveLength(1);
    await a.remediation.dispose();
    a.store.close();
    cleanups.splice(cleanups.indexOf(a.close), 1);
    const b = rig({}, dir);
    b.ingest(errorBurst({ ...key, startMs: START + 15 * MINUTE_MS, minutes: 5, perMinute: 60, errorRate: 0.3 }));
    expect(b.store.listAlerts()).toHaveLength(1);
    b.ingest(errorBurst({ ...key, startMs: START + 20 * MINUTE_MS, minutes: 20, perMinute: 60, errorRate: 0 }));
    expect(b.store.listAlerts()[0]?.status).toBe('resolved');
  });

  it('downsampling folds minute rows older than the horizon into hours; retention prunes raw events', () => {
    const r = rig({ rollups: { minutes: '2h', events: '3h' } });
    r.clock.t = START + 6 * 60 * MINUTE_MS;
    r.ingest(errorBurst({ ...key, startMs: START, minutes: 6 * 60, perMinute: 5, errorRate: 0 }));
    const res = r.maintenance.tick();
    expect(res.downsampled).toBeGreaterThan(0);
    const hours = r.store.rollupHistory.hoursBetween(0, r.clock.t);
    expect(
      hours.reduce((n, h) => n + h.count, 0) +
        r.store.rollupHistory.bucketsBetween(0, r.clock.t).reduce((n, b) => n + b.count, 0),
    ).toBe(6 * 60 * 5);
    expect(hours[0]?.latency.count).toBe(60 * 5);
    // "Now" for retention is the newest event time (12 s before the wall clock here): ts < that - 3h.
    expect(res.eventsPruned).toBe(3 * 60 * 5 - 1);
  });
});

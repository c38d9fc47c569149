import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Alert } from '../shared/protocol/alert.js';
import type { EventFrame } from '../shared/protocol/stream.js';
import { AlarmService } from '../electron/main/services/alarm/index.js';
import { openCache } from '../electron/main/services/cache/index.js';
import {
  NodeNotifier,
  type DesktopNotification,
  type Notifier,
  type NotifyResult,
} from '../electron/main/services/notifier/index.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Paging latency on the desktop (target: a page's notification within 100 ms of its event
 * reaching the client). (a) From a stream event frame being applied to the real SQLite cache,
 * through the Alarm's classification, to the Notifier being called (a recording notifier), with
 * the sync client's setImmediate hop included. (b) Separately, the real node-notifier call:
 * spawning notify-send (or the platform's tool) until it returns.
 */
export async function benchPaging(o: { pages: number; spawns: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-paging-'));
  const cache = openCache(join(dir, 'cache.db'), { now: new Date().toISOString() });
  const listeners = new Set<(ids: string[]) => void>();
  let calledAt = 0;
  const recording: Notifier = {
    notify(_n: DesktopNotification): Promise<NotifyResult> {
      calledAt = performance.now();
      return Promise.resolve({ ok: true });
    },
    onAcknowledge: () => () => {},
  };
  const alarm = new AlarmService({
    user: 'alice',
    source: {
      listAlerts: () => cache.listAlerts(),
      getAlert: (id) => cache.getAlert(id)?.alert,
      onAlertsChanged: (l) => (listeners.add(l), () => listeners.delete(l)),
    },
    notifier: recording,
    acknowledge: () => {},
    repeatEveryMs: 3_600_000,
  });
  alarm.start();
  const latencies: number[] = [];
  const now = Date.now();
  for (let i = 1; i <= o.pages; i++) {
    const alert: Alert = {
      id: `page-${i}`,
      ruleId: 'error-rate',
      tier: 'page',
      status: 'firing',
      source: 'rules',
      summary: `error rate 30% on service-${i}`,
      labels: { service: `service-${i}` },
      firedAt: new Date(now).toISOString(),
      escalation: { level: 1, target: 'alice', dueAt: new Date(now + 1_800_000).toISOString(), nextTarget: 'bob' },
    };
    const frame: EventFrame = { type: 'event', seq: i, at: alert.firedAt, alertId: alert.id, kind: 'fired', alert };
    calledAt = 0;
    const t0 = performance.now();
    // As SyncClient does: buffer the frame, flush on the next turn, apply in a transaction, tell listeners.
    await new Promise((r) => setImmediate(r));
    const changed = cache.applyEvents([frame], new Date().toISOString());
    for (const l of listeners) l(changed);
    if (calledAt === 0) throw new Error(`page ${i} did not reach the notifier`);
    latencies.push(calledAt - t0);
  }
  alarm.dispose();
  cache.close();
  rmSync(dir, { recursive: true, force: true });

  const real = new NodeNotifier();
  const spawns: number[] = [];
  let failures = 0;
  let lastError = '';
  for (let i = 0; i < o.spawns; i++) {
    const t0 = performance.now();
    const r = await real.notify({
      alertId: `bench-${i}`,
      title: 'Vigil bench',
      body: 'notification spawn time',
      loud: false,
      acknowledgeAction: false,
    });
    spawns.push(performance.now() - t0);
    if (!r.ok) {
      failures += 1;
      lastError = r.error;
    }
  }
  printTable('Paging: event applied → notifier called (target < 100 ms)', [
    {
      path: 'cache apply → Alarm → Notifier.notify',
      n: latencies.length,
      p50_ms: fmt(percentile(latencies, 50), 2),
      p99_ms: fmt(percentile(latencies, 99), 2),
      max_ms: fmt(Math.max(...latencies), 2),
    },
    {
      path: `node-notifier call (spawn)${failures ? ` — ${failures} failed: ${lastError.slice(0, 60)}` : ''}`,
      n: spawns.length,
      p50_ms: fmt(percentile(spawns, 50), 2),
      p99_ms: fmt(percentile(spawns, 99), 2),
      max_ms: fmt(Math.max(...spawns), 2),
    },
  ]);
}

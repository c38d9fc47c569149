import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Alert } from '../shared/protocol/alert.js';
import type { Incident } from '../shared/protocol/incident.js';
import type { EventFrame, IncidentFrame } from '../shared/protocol/stream.js';
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
 * Paging latency on the desktop (target: a paging incident's notification within 100 ms of its
 * ring reaching the client). (a) From the stream's frames (protocol 5: the member alert's event
 * and the incident's `notified` frame, the one that gives it an escalation) being applied to the
 * real SQLite cache, through the Alarm's per-incident classification, to the Notifier being
 * called (a recording notifier), with the sync client's setImmediate hop included. (b)
 * Separately, the real node-notifier call: spawning notify-send (or the platform's tool).
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
    // As app-services wires it.
    source: {
      listIncidents: () => cache.listIncidents('firing'),
      getIncident: (id) => cache.incident(id) ?? undefined,
      openAlertCount: (i) => cache.openMemberCount(i),
      onIncidentsChanged: (l) => (listeners.add(l), () => listeners.delete(l)),
    },
    notifier: recording,
    acknowledge: () => {},
    repeatEveryMs: 3_600_000,
  });
  alarm.start();
  const latencies: number[] = [];
  const now = Date.now();
  for (let i = 1; i <= o.pages; i++) {
    const firedAt = new Date(now).toISOString();
    const alert: Alert = {
      id: `page-${i}`,
      ruleId: 'error-rate',
      tier: 'page',
      status: 'firing',
      source: 'rules',
      summary: `error rate 30% on service-${i}`,
      labels: { service: `service-${i}` },
      firedAt,
      incidentId: `incident-${i}`,
    };
    const incident: Incident = {
      id: `incident-${i}`,
      key: `{service="service-${i}"}`,
      tier: 'page',
      status: 'firing',
      title: `service-${i} errors`,
      alertIds: [alert.id],
      firedAt,
      escalation: { level: 1, target: 'alice', dueAt: new Date(now + 1_800_000).toISOString(), nextTarget: 'bob' },
    };
    const frames: [EventFrame, IncidentFrame] = [
      { type: 'event', seq: 2 * i - 1, at: firedAt, alertId: alert.id, kind: 'fired', alert },
      { type: 'incident', seq: 2 * i, at: firedAt, incidentId: incident.id, kind: 'notified', incident },
    ];
    calledAt = 0;
    const t0 = performance.now();
    // As SyncClient does: buffer the frames, flush on the next turn, apply in a transaction, tell listeners.
    await new Promise((r) => setImmediate(r));
    const changed = cache.applyEvents(frames, new Date().toISOString());
    for (const l of listeners) l(changed.incidents);
    if (calledAt === 0) throw new Error(`incident ${i} did not reach the notifier`);
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
      id: `bench-${i}`,
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
  printTable('Paging: incident ring applied → notifier called (target < 100 ms)', [
    {
      path: 'cache apply → Alarm (per incident) → Notifier.notify',
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

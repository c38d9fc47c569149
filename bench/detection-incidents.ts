import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import type { Clock } from '../shared/clock.js';
import { AlertService } from '../electron/collector/alerts/alert-service.js';
import { AlertmanagerIntake } from '../electron/collector/integrations/alertmanager.js';
import { IngestMetrics } from '../electron/collector/ingest/ingest-metrics.js';
import { openStore } from '../electron/collector/store/sqlite-store.js';
import { removeDir, tempDir, wireIncidents } from '../test/integration/detection-harness.js';
import { fmt, printTable } from './stats.js';

function webhook(groupKey: string, from: number, count: number, status: 'firing' | 'resolved'): unknown {
  return {
    receiver: 'vigil',
    status,
    alerts: Array.from({ length: count }, (_, i) => ({
      status,
      labels: { alertname: `Alert${(from + i) % 50}`, instance: `host-${from + i}`, severity: 'critical' },
      annotations: { summary: `host-${from + i} is unhappy` },
      startsAt: '2026-03-02T03:00:00Z',
      endsAt: status === 'resolved' ? '2026-03-02T03:10:00Z' : '0001-01-01T00:00:00Z',
      fingerprint: `fp-${from + i}`,
    })),
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://am.example.org',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

/**
 * Issue 12: a 10,000-alert Alertmanager webhook through the whole pipeline (alert store, core,
 * incident tables, log, one durable transaction), then what a small change costs with those
 * 10,000 alerts held (the core is O(alerts held) per transaction).
 */
export function benchIncidentWebhook(alertCount = 10_000): void {
  const rows: Record<string, string | number>[] = [];
  // The same webhook without the pipeline (as before issue 12), for the pipeline's share.
  {
    const dir = tempDir();
    const clock: Clock = { now: () => Date.parse('2026-03-02T03:00:30Z') };
    const store = openStore(join(dir, 'collector.db'), clock.now());
    const alerts = new AlertService(store, clock, 'collector');
    const intake = new AlertmanagerIntake({
      store,
      alerts,
      clock,
      metrics: new IngestMetrics(),
      defaultTier: 'page',
      isRunbook: () => false,
    });
    const t0 = performance.now();
    intake.handle(webhook('{}:{cluster="big"}', 0, alertCount, 'firing'));
    rows.push({ step: `${alertCount} alerts in one group, without the pipeline`, ms: fmt(performance.now() - t0, 0) });
    store.close();
    removeDir(dir);
  }
  const dir = tempDir();
  let now = Date.parse('2026-03-02T03:00:30Z');
  const clock: Clock = { now: () => now };
  const store = openStore(join(dir, 'collector.db'), now);
  const alerts = new AlertService(store, clock, 'collector');
  wireIncidents(store, alerts, clock);
  const intake = new AlertmanagerIntake({
    store,
    alerts,
    clock,
    metrics: new IngestMetrics(),
    defaultTier: 'page',
    isRunbook: () => false,
  });
  const time = (what: string, fn: () => void): void => {
    const t0 = performance.now();
    fn();
    rows.push({ step: what, ms: fmt(performance.now() - t0, 0) });
  };
  time(`${alertCount} alerts in one group (one webhook)`, () => {
    intake.handle(webhook('{}:{cluster="big"}', 0, alertCount, 'firing'));
  });
  now += 1_000;
  time(`1 alert, another group, with ${alertCount} held`, () => {
    intake.handle(webhook('{}:{cluster="small"}', alertCount, 1, 'firing'));
  });
  now += 60_000;
  time('group wait over: the two incidents ring (scheduler tick)', () => {
    alerts.transact(() => undefined);
  });
  now += 1_000;
  time(`${alertCount} resolved (one webhook)`, () => {
    intake.handle(webhook('{}:{cluster="big"}', 0, alertCount, 'resolved'));
  });
  const incidents = store.incidents.list(undefined, 10);
  rows.push({ step: 'incidents', ms: incidents.map((i) => `${i.id} ${i.status} ${i.alertIds.length}`).join(', ') });
  store.close();
  removeDir(dir);
  printTable('Incidents: an Alertmanager webhook through the notify pipeline (one durable transaction each)', rows);
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../electron/main/services/index.js';
import { silentLogger } from '../../electron/main/services/runtime.js';
import { minuteFloor } from '../../shared/clock.js';
import { AlertList, type Alert } from '../../shared/protocol/alert.js';
import { SilenceList } from '../../shared/protocol/incident.js';
import { errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/** Real collector process, real sockets, real SQLite files on both sides. */
let collector: CollectorHandle;
const apps: AppServices[] = [];
const dirs: string[] = [];

function desktop(user: string): AppServices {
  const dataDir = mkdtempSync(join(tmpdir(), `vigil-desktop-${user}-`));
  dirs.push(dataDir);
  const app = createAppServices({
    collectorUrl: collector.url,
    collectorToken: collector.token,
    user,
    dataDir,
    log: silentLogger,
    // Short backoff so a restarted collector is found in well under a second.
    sync: { backoff: { baseMs: 100, capMs: 500 } },
  });
  apps.push(app);
  app.start();
  return app;
}

async function until<T>(probe: () => T | undefined | null | false, ms = 15_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function tripErrorRate(): Promise<void> {
  const events = errorBurst({
    service: 'support-bot',
    provider: 'openai',
    model: 'gpt-4o',
    startMs: minuteFloor(Date.now()) - 15 * 60_000,
    minutes: 15,
    perMinute: 100,
    errorRate: 0.3,
  });
  const res = await postEvents(collector.url, collector.token, events);
  expect(res.status).toBeLessThan(300);
}

const firingPage = (app: AppServices): Alert | undefined =>
  app.cache.listAlerts('firing').find((a) => a.tier === 'page');

async function collectorAlert(id: string): Promise<Alert | undefined> {
  const res = await fetch(`${collector.url}/v1/alerts`, { headers: { authorization: `Bearer ${collector.token}` } });
  return AlertList.parse(await res.json()).alerts.find((a) => a.id === id);
}

async function ack(app: AppServices, alertId: string): Promise<string> {
  const reply = await app.api.handle({ method: 'alerts.command', params: { kind: 'ack', alertId, note: 'on it' } });
  if (!reply.ok) throw new Error(reply.error.message);
  return (reply.result as { commandId: string }).commandId;
}

beforeEach(async () => {
  collector = await startCollector();
});

afterEach(async () => {
  for (const app of apps.splice(0)) app.dispose();
  await collector.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SyncClient with the real collector', () => {
  it('an alert fired by an error burst lands in the cache', async () => {
    const ana = desktop('ana');
    await until(() => ana.sync.status().state === 'connected');
    await tripErrorRate();
    const alert = await until(() => firingPage(ana));
    expect(alert.labels.service).toBe('support-bot');
    const detail = ana.cache.getAlert(alert.id);
    expect(detail?.timeline.some((t) => t.kind === 'fired')).toBe(true);
    expect(ana.sync.status().lastSeq).toBeGreaterThan(0);
  });

  it('an ack goes through the outbox to the collector, and another desktop sees it within 1 s', async () => {
    const ana = desktop('ana');
    const bob = desktop('bob');
    await tripErrorRate();
    const alert = await until(() => firingPage(ana));
    await until(() => bob.cache.hasAlert(alert.id));

    const started = performance.now();
    const commandId = await ack(ana, alert.id);
    const seenByBob = await until(() => bob.cache.getAlert(alert.id)?.alert.status === 'acknowledged', 1000);
    expect(seenByBob).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);

    await until(() => ana.cache.outbox().find((i) => i.id === commandId && i.state === 'applied'));
    const onCollector = await collectorAlert(alert.id);
    expect(onCollector?.acknowledgedBy).toBe('ana');
    expect(bob.cache.getAlert(alert.id)?.alert.acknowledgedBy).toBe('ana');
    const entry = bob.cache.getAlert(alert.id)?.timeline.find((t) => t.kind === 'acknowledged');
    expect(entry?.actor).toBe('ana');
  });

  it('commands made offline wait in the outbox and are applied exactly once on reconnect', async () => {
    const ana = desktop('ana');
    await tripErrorRate();
    const alert = await until(() => firingPage(ana));

    await collector.kill('SIGKILL');
    await until(() => ana.sync.status().state !== 'connected');
    const commandId = await ack(ana, alert.id);
    const queued = await ana.api.call('outbox.list', {});
    expect(queued.find((i) => i.id === commandId)?.state).toBe('queued');
    expect((await ana.api.call('status.get', {})).pendingCommands).toBe(1);
    // The UI still reads everything from the cache while offline.
    expect((await ana.api.call('alerts.get', { id: alert.id }))?.alert.id).toBe(alert.id);

    await collector.restart();
    await until(() => ana.cache.outbox().find((i) => i.id === commandId && i.state === 'applied'));
    await until(() => ana.cache.getAlert(alert.id)?.alert.status === 'acknowledged');
    expect((await collectorAlert(alert.id))?.acknowledgedBy).toBe('ana');

    // Another reconnect must not send an applied command again.
    await collector.restart();
    await until(() => ana.sync.status().state === 'connected');
    await new Promise((r) => setTimeout(r, 300));
    const acks = ana.cache.getAlert(alert.id)?.timeline.filter((t) => t.kind === 'acknowledged') ?? [];
    expect(acks).toHaveLength(1);
    expect(ana.cache.pendingCount()).toBe(0);
  });

  it('pushes alerts-changed, outbox-changed and status-changed to Api listeners', async () => {
    const ana = desktop('ana');
    const pushes: string[] = [];
    ana.api.onPush((p) => pushes.push(p.type));
    await tripErrorRate();
    const alert = await until(() => firingPage(ana));
    await ack(ana, alert.id);
    await until(
      () => pushes.includes('alerts-changed') && pushes.includes('outbox-changed') && pushes.includes('status-changed'),
    );
  });
  // Protocol 5 (issue 12): needs the collector that runs the incident pipeline.
  it('an alert lands in its incident; acknowledging the incident acks every member on every desktop', async () => {
    const ana = desktop('ana');
    const bob = desktop('bob');
    await tripErrorRate();
    const alert = await until(() => firingPage(ana));
    const incidentId = alert.incidentId;
    expect(incidentId).toBeDefined();
    if (incidentId === undefined) return;
    await until(() => ana.cache.incident(incidentId) && bob.cache.incident(incidentId));
    expect(ana.cache.incident(incidentId)?.alertIds).toContain(alert.id);

    const { commandId } = await ana.api.call('incidents.command', { kind: 'ack', incidentId, note: 'mine' });
    await until(() => ana.cache.outbox().find((i) => i.id === commandId && i.state === 'applied'));
    await until(() => bob.cache.incident(incidentId)?.status === 'acknowledged');
    const seen = await bob.api.call('incidents.get', { id: incidentId });
    expect(seen?.incident.acknowledgedBy).toBe('ana');
    for (const member of seen?.alerts ?? []) {
      if (member.status !== 'resolved') expect(member.status).toBe('acknowledged');
    }
    // One timeline: the incident's own entries (no alertId) merged with its members' (with alertId).
    const timeline = seen?.timeline ?? [];
    expect(timeline.some((t) => t.alertId === undefined && t.kind === 'acknowledged' && t.actor === 'ana')).toBe(true);
    expect(timeline.some((t) => t.alertId === alert.id && t.kind === 'fired')).toBe(true);
    expect(timeline.map((t) => t.seq)).toEqual([...timeline.map((t) => t.seq)].sort((a, b) => a - b));
  });

  it('a silence made offline is applied once after reconnect, replaces the pending copy and mutes what it matches', async () => {
    const ana = desktop('ana');
    await until(() => ana.sync.status().state === 'connected');
    await collector.kill('SIGKILL');
    await until(() => ana.sync.status().state !== 'connected');
    const matchers = [{ name: 'service', op: '=' as const, value: 'support-bot' }];
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const { commandId } = await ana.api.call('silences.create', { matchers, endsAt, comment: 'load test' });
    expect((await ana.api.call('silences.list', {})).map((s) => [s.id, s.createdBy])).toEqual([[commandId, 'ana']]);

    await collector.restart();
    await until(() => ana.cache.outbox().find((i) => i.id === commandId && i.state === 'applied'));
    await until(() => ana.cache.silences().some((s) => s.id === commandId));
    expect(ana.cache.pendingSilenceCommands()).toEqual([]);
    const res = await fetch(`${collector.url}/v1/silences`, {
      headers: { authorization: `Bearer ${collector.token}` },
    });
    const onCollector = SilenceList.parse(await res.json()).silences.filter((s) => s.id === commandId);
    expect(onCollector).toEqual([expect.objectContaining({ createdBy: 'ana', comment: 'load test', endsAt })]);

    await tripErrorRate();
    const alert = await until(() => ana.cache.listAlerts().find((a) => a.labels.service === 'support-bot'));
    expect(await until(() => ana.cache.alert(alert.id)?.silencedBy)).toBe(commandId);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { openCache } from '../../electron/main/services/cache/index.js';
import { CacheRetention } from '../../electron/main/services/cache-retention.js';
import { silentLogger, systemTimers } from '../../electron/main/services/runtime.js';
import { DAY_MS, HOUR_MS, toIso } from '../../shared/clock.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import type { Alert } from '../../shared/protocol/alert.js';
import type { Incident } from '../../shared/protocol/incident.js';
import type { EventFrame, IncidentFrame } from '../../shared/protocol/stream.js';
import { connectStream, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { ManualClock, collectorAlerts, collectorStats, Desktops, seedAlertLog, until } from './sync-helpers.js';

const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
let collector: CollectorHandle | undefined;
const desktops = new Desktops();

afterEach(async () => {
  desktops.disposeAll();
  await collector?.stop();
  collector = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('collector event-log retention', () => {
  it('prunes a prefix by age and row cap, and never moves lastSeq back', () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    const dir = tempDir('vigil-logret-');
    // 300 entries: the first 120 are 2 days old, the rest fresh.
    seedAlertLog(dir, 300, { alerts: 20, now, at: (i) => (i < 120 ? now - 2 * DAY_MS : now) });
    const store = openStore(join(dir, 'collector.db'), now);
    try {
      expect(store.firstRetainedSeq()).toBe(1);
      // Age only: the 120 old entries go, in chunks of at most 50.
      expect(store.pruneLog(now - DAY_MS, 1_000_000, 50)).toBe(50);
      expect(store.pruneLog(now - DAY_MS, 1_000_000, 1000)).toBe(70);
      expect(store.pruneLog(now - DAY_MS, 1_000_000, 1000)).toBe(0);
      expect(store.firstRetainedSeq()).toBe(121);
      // Row cap: keep the newest 100.
      expect(store.pruneLog(now - DAY_MS, 100, 1000)).toBe(80);
      expect(store.firstRetainedSeq()).toBe(201);
      expect(store.logAfter(200, 1000).map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => 201 + i));
      // Everything pruned: the position stays (clients must not think the log was reset).
      expect(store.pruneLog(now + DAY_MS, 100, 1000)).toBe(100);
      expect(store.lastSeq()).toBe(300);
      expect(store.firstRetainedSeq()).toBe(301);
      expect(store.stats().lastSeq).toBe(300);
    } finally {
      store.close();
    }
  });

  it('rejects a bad retention config naming the field', () => {
    const bad = parseCollectorConfig({ retention: { eventLog: 'forever' } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join('\n')).toMatch(/^retention\.eventLog: /m);
    const typo = parseCollectorConfig({ retention: { eventLogMaxRow: 5 } });
    expect(typo.ok).toBe(false);
    if (!typo.ok) expect(typo.errors.join('\n')).toMatch(/eventLogMaxRow/);
    const zero = parseCollectorConfig({ retention: { interval: 0 } });
    expect(zero.ok).toBe(false);
    if (!zero.ok) expect(zero.errors.join('\n')).toMatch(/^retention\.interval: /m);
    const ok = parseCollectorConfig({ retention: { eventLog: '7d', eventLogMaxRows: 10 } });
    expect(ok.ok && ok.config.retention).toMatchObject({
      eventLog: 7 * DAY_MS,
      eventLogMaxRows: 10,
      interval: HOUR_MS,
    });
  });

  it('a client behind the retained log gets a snapshot plus the live tail; one inside it gets a replay', async () => {
    const dataDir = tempDir('vigil-logret-c-');
    const now = Date.now();
    seedAlertLog(dataDir, 400, { alerts: 30, now, at: (i) => (i < 200 ? now - 3 * DAY_MS : now - 1000) });
    collector = await startCollector({
      dataDir,
      configYaml: 'retention:\n  eventLog: 1d\n  eventLogMaxRows: 150\n  interval: 200ms\n',
    });
    const c = collector;
    // Start-up placed the 30 seeded open alerts in incidents (an incident entry and an alert
    // entry each, appended after the 400), then the maintenance tick pruned by age (the 200 old
    // ones) and by the row cap: everything but the newest 150.
    await until(() => /incidents: 30 open alerts placed in incidents/.test(c.output()), 5000, 'the placement');
    const head = 400 + 2 * 30;
    const firstKept = head - 150 + 1;
    await until(
      () => new RegExp(`retention: pruned ${head - 150} event log entries`).test(c.output()),
      5000,
      'the prune log line',
    );
    const stats = await collectorStats(c);
    expect(stats.lastSeq).toBe(head);

    // lastSeq 100 predates the retained log: snapshot, then live.
    const behind = await connectStream(c.url, c.token, { user: 'late', lastSeq: 100 });
    const snap = await behind.waitFor((f) => f.type === 'snapshot' && f.last === true);
    expect(snap.lastSeq).toBe(head);
    const alerts = await collectorAlerts(c);
    expect((snap.alerts as Alert[]).map((a) => a.id).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect((snap.incidents as unknown[]).length).toBe(30);
    const isLog = (f: Record<string, unknown>): boolean => f.type === 'event' || f.type === 'incident';
    expect(behind.frames.filter(isLog)).toHaveLength(0);

    // Exactly at the boundary: a replay of the 150 kept entries, alert and incident ones in seq order.
    const edge = await connectStream(c.url, c.token, { user: 'edge', lastSeq: firstKept - 1 });
    await edge.waitFor((f) => isLog(f) && f.seq === head);
    const replayed = edge.frames.filter(isLog).map((f) => f.seq);
    expect(replayed).toEqual(Array.from({ length: 150 }, (_, i) => firstKept + i));
    expect(edge.frames.some((f) => f.type === 'snapshot')).toBe(false);

    // The tail: a new log entry reaches the snapshot client and the replay client once each.
    const target = alerts[0];
    if (!target) throw new Error('no alerts seeded');
    edge.send({ type: 'command', id: 'tail-1', kind: 'comment', alertId: target.id, note: 'after the snapshot' });
    await edge.waitFor((f) => f.type === 'result' && f.id === 'tail-1');
    const tail = await behind.waitFor((f) => f.type === 'event' && f.seq === head + 1);
    expect(tail.note).toBe('after the snapshot');
    await edge.waitFor((f) => f.type === 'event' && f.seq === head + 1);
    expect(edge.frames.filter((f) => f.type === 'event' && f.seq === head + 1)).toHaveLength(1);
    await behind.close();
    await edge.close();
    expect(c.output()).toMatch(
      new RegExp(`late \\(peer \\d+\\) at seq 100: outside the retained log, sending a snapshot at ${head}`),
    );

    // A desktop starting from nothing converges on the collector's state through the snapshot.
    const app = desktops.open(c, 'fresh');
    await until(() => app.cache.syncState().lastSeq === head + 1, 10_000, 'the desktop to catch up');
    expect(
      app.cache
        .listAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual((await collectorAlerts(c)).map((a) => a.id).sort());
    expect(app.cache.listIncidents()).toHaveLength(30);
  });
});

describe('app cache retention', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  const alert = (id: string, patch: Partial<Alert>): Alert => ({
    id,
    ruleId: 'error-rate',
    tier: 'page',
    status: 'firing',
    source: 'rules',
    summary: 's',
    labels: {},
    firedAt: toIso(now - 60 * DAY_MS),
    ...patch,
  });

  it('prunes resolved alerts older than N days with their timeline, keeps open ones and unanswered commands', async () => {
    const dir = tempDir('vigil-cacheret-');
    const cache = openCache(join(dir, 'cache.db'), { now: toIso(now) });
    const alerts = [
      alert('old-resolved', { status: 'resolved', resolvedAt: toIso(now - 40 * DAY_MS) }),
      alert('new-resolved', { status: 'resolved', resolvedAt: toIso(now - 2 * DAY_MS) }),
      alert('old-firing', {}),
      alert('old-acked', { status: 'acknowledged', acknowledgedBy: 'ana', acknowledgedAt: toIso(now - 50 * DAY_MS) }),
    ];
    const events: EventFrame[] = alerts.flatMap((a, i) => [
      { type: 'event', seq: 2 * i + 1, at: a.firedAt, alertId: a.id, kind: 'fired', alert: { ...a, status: 'firing' } },
      { type: 'event', seq: 2 * i + 2, at: a.firedAt, alertId: a.id, kind: 'commented', note: 'x', alert: a },
    ]);
    // Incidents go like alerts, each by its own resolvedAt, with their own timeline entries.
    const incident = (id: string, patch: Partial<Incident>): Incident => ({
      id,
      key: `{service="${id}"}`,
      tier: 'page',
      status: 'firing',
      title: id,
      alertIds: [],
      firedAt: toIso(now - 60 * DAY_MS),
      ...patch,
    });
    const incidents: IncidentFrame[] = [
      incident('inc-old-resolved', { status: 'resolved', resolvedAt: toIso(now - 40 * DAY_MS) }),
      incident('inc-new-resolved', { status: 'resolved', resolvedAt: toIso(now - 2 * DAY_MS) }),
      incident('inc-old-open', { alertIds: ['old-firing'] }),
    ].map((i, n) => ({ type: 'incident', seq: 9 + n, at: i.firedAt, incidentId: i.id, kind: 'fired', incident: i }));
    cache.applyEvents([...events, ...incidents], toIso(now));
    cache.enqueue({ id: 'c-old-applied', kind: 'ack', alertId: 'old-firing', createdAt: toIso(now - 45 * DAY_MS) });
    cache.markOutbox('c-old-applied', 'applied');
    cache.enqueue({ id: 'c-old-queued', kind: 'ack', alertId: 'old-firing', createdAt: toIso(now - 45 * DAY_MS) });
    cache.enqueue({ id: 'c-new-conflict', kind: 'ack', alertId: 'old-firing', createdAt: toIso(now - DAY_MS) });
    cache.markOutbox('c-new-conflict', 'conflict', 'alert is resolved');

    const clock = new ManualClock(now);
    const retention = new CacheRetention(
      cache,
      { resolvedDays: 30, intervalMs: 50 },
      clock,
      systemTimers,
      silentLogger,
    );
    retention.start();
    await until(() => !cache.hasAlert('old-resolved'), 5000, 'the maintenance tick');
    retention.dispose();

    expect(
      cache
        .listAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['new-resolved', 'old-acked', 'old-firing']);
    expect(cache.getAlert('old-resolved')).toBeNull();
    expect(cache.getAlert('new-resolved')?.timeline).toHaveLength(2);
    expect(cache.outbox().map((o) => o.id)).toEqual(['c-old-queued', 'c-new-conflict']);
    expect(
      cache
        .listIncidents()
        .map((i) => i.id)
        .sort(),
    ).toEqual(['inc-new-resolved', 'inc-old-open']);
    expect(cache.getIncident('inc-old-open')?.timeline.map((t) => [t.seq, t.alertId])).toEqual([
      [5, 'old-firing'],
      [6, 'old-firing'],
      [11, undefined],
    ]);
    // The stream position is untouched: pruning is not a reason to replay.
    expect(cache.syncState().lastSeq).toBe(11);

    // 40 days later the other resolved alert goes too; open ones never do.
    clock.advance(40 * DAY_MS);
    expect(retention.runOnce()).toBe(1);
    expect(cache.listIncidents().map((i) => i.id)).toEqual(['inc-old-open']);
    expect(
      cache
        .listAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['old-acked', 'old-firing']);
    cache.close();
  });

  it('AppServices runs the tick with a configurable age', async () => {
    const dir = tempDir('vigil-cacheret-app-');
    const seedClock = new ManualClock(Date.now());
    const cache = openCache(join(dir, 'cache.db'), { now: toIso(seedClock.now()) });
    cache.bindCollector('http://127.0.0.1:9');
    cache.applyEvents(
      [
        {
          type: 'event',
          seq: 1,
          at: toIso(seedClock.now()),
          alertId: 'r',
          kind: 'resolved',
          alert: alert('r', { status: 'resolved', resolvedAt: toIso(seedClock.now() - 3 * DAY_MS) }),
        },
      ],
      toIso(seedClock.now()),
    );
    cache.close();
    const app = desktops.open({ url: 'http://127.0.0.1:9', token: 't' }, 'ana', {
      dataDir: dir,
      retention: { resolvedDays: 2, intervalMs: 100 },
    });
    await until(() => !app.cache.hasAlert('r'), 5000, 'the app tick');
  });
});

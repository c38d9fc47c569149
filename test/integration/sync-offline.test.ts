import { describe, expect, it } from 'vitest';
import type { AppServices } from '../../electron/main/services/index.js';
import { MINUTE_MS, toIso } from '../../shared/clock.js';
import type { CommandRequest } from '../../shared/protocol/api.js';
import { connectStream } from '../fixtures/collector.js';
import { desktopsAgainstCollector } from '../fixtures/desktops.js';
import { collectorAlerts, collectorStats, ManualClock, seedAlertLog, until } from './sync-helpers.js';

/**
 * An hour offline (simulated: the desktop's clock moves, the test does not wait): commands made
 * meanwhile are applied exactly once, in the order they were made, and the one that no longer
 * applies comes back as a visible conflict.
 */
const { desktops, start, tmp } = desktopsAgainstCollector();

async function command(app: AppServices, params: CommandRequest): Promise<string> {
  const reply = await app.api.handle({ method: 'alerts.command', params });
  if (!reply.ok) throw new Error(reply.error.message);
  return (reply.result as { commandId: string }).commandId;
}

describe('offline for an hour', () => {
  it('acks and a snooze made offline apply once, in order; an ack on an alert resolved meanwhile is a conflict', async () => {
    const collectorDir = tmp('vigil-offline-c-');
    const anaDir = tmp('vigil-offline-ana-');
    seedAlertLog(collectorDir, 4, { alerts: 4, now: Date.now() });
    const c = await start({ dataDir: collectorDir });
    const [a1, a2, a3, a4] = (await collectorAlerts(c)).map((a) => a.id).sort();
    if (!a1 || !a2 || !a3 || !a4) throw new Error('seeding failed');

    const clock = new ManualClock(Date.now());
    let ana = desktops.open(c, 'ana', { clock, dataDir: anaDir });
    await until(() => ana.cache.listAlerts().length === 4, 10_000, 'the alerts in the cache');

    // The collector goes away (kill -9); the desktop keeps working from its cache.
    await c.kill('SIGKILL');
    await until(() => ana.sync.status().state !== 'connected', 5000, 'offline');
    const made: { id: string; kind: string; alertId: string }[] = [];
    const offline = async (params: CommandRequest): Promise<void> => {
      clock.advance(10 * MINUTE_MS);
      made.push({ id: await command(ana, params), kind: params.kind, alertId: params.alertId });
    };
    await offline({ kind: 'ack', alertId: a1 });
    await offline({ kind: 'ack', alertId: a4, note: 'looking' });
    await offline({ kind: 'snooze', alertId: a3, until: toIso(clock.now() + 2 * 60 * MINUTE_MS) });
    await offline({ kind: 'comment', alertId: a1, note: 'rolled back the prompt' });
    await offline({ kind: 'ack', alertId: a2 });
    await offline({ kind: 'mitigate', alertId: a1 });
    expect(clock.now() - Date.now()).toBeGreaterThanOrEqual(59 * MINUTE_MS);
    const queued = await ana.api.call('outbox.list', {});
    expect(queued.map((i) => i.state)).toEqual(Array(6).fill('queued'));
    expect((await ana.api.call('status.get', {})).pendingCommands).toBe(6);
    // Browsable offline: the detail still reads from the cache.
    expect((await ana.api.call('alerts.get', { id: a1 }))?.alert.status).toBe('firing');

    // The lid closes with the outbox full; meanwhile the collector is back and bob resolves a4.
    ana.dispose();
    await c.restart();
    const before = await collectorStats(c);
    const bob = await connectStream(c.url, c.token, { user: 'bob', lastSeq: before.lastSeq });
    bob.send({ type: 'command', id: 'bob-resolve', kind: 'resolve', alertId: a4 });
    expect(await bob.waitFor((f) => f.type === 'result' && f.id === 'bob-resolve')).toMatchObject({ ok: true });

    // The lid opens: the same data dir, the same outbox.
    ana = desktops.open(c, 'ana', { clock, dataDir: anaDir });
    const app = ana;
    await until(() => app.cache.pendingCount() === 0, 10_000, 'the outbox to drain');
    const items = await app.api.call('outbox.list', {});
    expect(items.map((i) => [i.id, i.state])).toEqual(
      made.map((m) => [m.id, m.kind === 'ack' && m.alertId === a4 ? 'conflict' : 'applied']),
    );
    const conflict = items.find((i) => i.state === 'conflict');
    // (Protocol 5: an ack on an alert acks its incident; either one is resolved.)
    expect(conflict).toMatchObject({ kind: 'ack', alertId: a4, detail: expect.stringMatching(/is resolved/) });

    // The collector's log: bob's resolve, then ana's five applied commands, in the order made, once each.
    const expected: [string, string][] = [
      [a4, 'resolved'],
      [a1, 'acknowledged'],
      [a3, 'snoozed'],
      [a1, 'commented'],
      [a2, 'acknowledged'],
      [a1, 'mitigated'],
    ];
    // Incident events share the log's seqs (protocol 5): count alert events, not seqs.
    const alertEvents = (): number => bob.frames.filter((f) => f.type === 'event').length;
    await bob.waitFor(() => alertEvents() >= expected.length);
    const logTail = (): [string, string][] =>
      bob.frames.filter((f) => f.type === 'event').map((f) => [String(f.alertId), String(f.kind)]);
    expect(logTail()).toEqual(expected);
    expect(bob.frames.filter((f) => f.type === 'event').map((f) => f.actor)).toEqual([
      'bob',
      'ana',
      'ana',
      'ana',
      'ana',
      'ana',
    ]);

    // The cache agrees with the collector.
    const after = await collectorStats(c);
    // (At least: the collector may log an incident's ring meanwhile.)
    await until(() => app.cache.syncState().lastSeq >= after.lastSeq, 5000, 'the cache to catch up');
    const onCollector = await collectorAlerts(c);
    expect(
      app.cache
        .listAlerts()
        .map((a) => [a.id, a.status])
        .sort(),
    ).toEqual(onCollector.map((a) => [a.id, a.status]).sort());
    expect(onCollector.find((a) => a.id === a3)?.snoozedUntil).toBeDefined();

    // Another reconnect re-sends nothing: no member gains a second entry from ana's commands.
    const anaEntries = (): number =>
      [a1, a2, a3, a4].flatMap((id) => app.cache.getAlert(id)?.timeline ?? []).filter((t) => t.actor === 'ana').length;
    const entries = anaEntries();
    expect(entries).toBe(expected.length - 1);
    await c.restart();
    await until(() => app.sync.status().state === 'connected', 10_000, 'reconnect');
    await new Promise((r) => setTimeout(r, 300));
    const stats = await collectorStats(c);
    await until(() => app.cache.syncState().lastSeq >= stats.lastSeq, 5000, 'the cache to catch up again');
    expect(anaEntries()).toBe(entries);
    expect(app.cache.pendingCount()).toBe(0);
    await bob.close();
  });
});

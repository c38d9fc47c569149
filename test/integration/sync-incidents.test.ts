import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../electron/main/services/index.js';
import type { DesktopNotification, Notifier, NotifyResult } from '../../electron/main/services/notifier/index.js';
import { silentLogger } from '../../electron/main/services/runtime.js';
import type { ApiPush } from '../../shared/protocol/api.js';
import type { Silence } from '../../shared/protocol/incident.js';
import type { ClientFrame, ServerFrame } from '../../shared/protocol/stream.js';
import { alert, event, FakeCollector, incident, incidentFrame, send, welcome } from './sync-fake-collector.js';

/**
 * Protocol 5 on the desktop, against a scripted collector: `incident` frames (seq'd with the
 * alert log), `silences` frames (replace-all), snapshot pages carrying incidents, bad frames
 * refused, and silence / incident commands through the outbox, offline included.
 */
const HOUR = 3_600_000;
const silence = (id: string, patch: Partial<Silence> = {}): Silence => ({
  id,
  matchers: [{ name: 'provider', op: '=', value: 'openai' }],
  startsAt: new Date(Date.now() - HOUR).toISOString(),
  endsAt: new Date(Date.now() + HOUR).toISOString(),
  createdBy: 'bob',
  comment: 'provider maintenance',
  ...patch,
});

async function until(cond: () => boolean, ms = 8000, what = 'condition'): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

class RecordingNotifier implements Notifier {
  sent: DesktopNotification[] = [];
  private ack: ((id: string) => void) | undefined;
  notify(n: DesktopNotification): Promise<NotifyResult> {
    this.sent.push(n);
    return Promise.resolve({ ok: true });
  }
  onAcknowledge(l: (id: string) => void) {
    this.ack = l;
    return () => (this.ack = undefined);
  }
  press(id: string) {
    this.ack?.(id);
  }
}

describe('desktop sync, protocol 5: incidents and silences', () => {
  let fake: FakeCollector;
  let dir: string;
  let app: AppServices | undefined;
  let url: string;
  let pushes: ApiPush[];
  let notifier: RecordingNotifier;

  const startApp = (): AppServices => {
    const a = createAppServices({
      collectorUrl: url,
      collectorToken: 'tok-123',
      user: 'ana',
      dataDir: dir,
      log: silentLogger,
      sync: { backoff: { baseMs: 50, capMs: 200 } },
      alarm: { notifier, repeatEveryMs: 60_000 },
    });
    a.api.onPush((p) => pushes.push(p));
    a.start();
    app = a;
    return a;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sync-inc-'));
    fake = new FakeCollector();
    url = await fake.ready();
    pushes = [];
    notifier = new RecordingNotifier();
  });
  afterEach(async () => {
    app?.dispose();
    app = undefined;
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies snapshot pages with incidents, then incident and alert events in seq order, and the silences list', async () => {
    const inc1 = incident('inc-1', { alertIds: ['a1'] });
    fake.onFrame = (ws, frame) => {
      if (frame.type !== 'hello') return;
      send(ws, welcome(10));
      send(ws, {
        type: 'snapshot',
        lastSeq: 10,
        page: 0,
        last: false,
        alerts: [alert('a1', { incidentId: 'inc-1' })],
        incidents: [inc1],
      });
      send(ws, {
        type: 'snapshot',
        lastSeq: 10,
        page: 1,
        last: true,
        alerts: [],
        incidents: [
          incident('inc-0', {
            status: 'resolved',
            firedAt: '2026-01-05T08:00:00.000Z',
            resolvedAt: '2026-01-05T09:30:00.000Z',
          }),
        ],
      });
      send(ws, { type: 'silences', silences: [silence('s1')] });
      send(ws, event(11, alert('a2', { incidentId: 'inc-1', inhibitedBy: 'a1' })));
      send(ws, incidentFrame(12, incident('inc-1', { alertIds: ['a1', 'a2'], inhibitedAlertIds: ['a2'] })));
    };
    const a = startApp();
    await until(() => a.cache.syncState().lastSeq === 12, 8000, 'seq 12');
    expect((await a.api.call('incidents.list', {})).map((i) => [i.id, i.alertIds.length])).toEqual([
      ['inc-1', 2],
      ['inc-0', 0],
    ]);
    const detail = await a.api.call('incidents.get', { id: 'inc-1' });
    expect(detail?.alerts.map((x) => [x.id, x.inhibitedBy ?? null])).toEqual([
      ['a1', null],
      ['a2', 'a1'],
    ]);
    expect(detail?.timeline.map((t) => [t.seq, t.alertId ?? null])).toEqual([
      [11, 'a2'],
      [12, null],
    ]);
    expect((await a.api.call('silences.list', {})).map((s) => s.id)).toEqual(['s1']);
    await until(() => pushes.some((p) => p.type === 'silences-changed'), 3000, 'silences push');
    expect(pushes).toContainEqual({ type: 'silences-changed', count: 1 });
    await until(
      () => pushes.some((p) => p.type === 'incidents-changed' && p.incidentIds.includes('inc-1')),
      3000,
      'incidents push',
    );
  });

  it('refuses bad incident and silences frames (the replica keeps its state), and drops an incident frame inside a snapshot', async () => {
    fake.onFrame = (ws, frame, n) => {
      if (frame.type !== 'hello') return;
      if (n === 1) {
        send(ws, welcome(0));
        send(ws, { type: 'silences', silences: [silence('s1')] });
        send(ws, { ...incidentFrame(1, incident('i1')), incident: { ...incident('i1'), status: 'burning' } });
        send(ws, { ...incidentFrame(1, incident('i1')), seq: 0 });
        send(ws, { ...incidentFrame(1, incident('i1')), incident: { ...incident('i1'), alertIds: 'a1' } });
        send(ws, { type: 'silences', silences: [silence('s2', { matchers: [] })] });
        send(ws, { type: 'silences', silences: [silence('s3', { endsAt: '2020-01-01T00:00:00.000Z' })] });
        send(ws, { type: 'silences', silences: [{ ...silence('s4'), extra: true }] });
        // A snapshot page from protocol 4 (no incidents) is not a snapshot page any more.
        send(ws, { type: 'snapshot', lastSeq: 9, page: 0, last: true, alerts: [] });
        send(ws, incidentFrame(2, incident('i2'), 'fired'));
        // Then, mid-snapshot, an incident frame: the collector never does that; drop and resync.
        send(ws, { type: 'snapshot', lastSeq: 5, page: 0, last: false, alerts: [], incidents: [] });
        send(ws, incidentFrame(3, incident('i3'), 'fired'));
      } else {
        send(ws, welcome(frame.lastSeq));
      }
    };
    const a = startApp();
    const hellos = (): Extract<ClientFrame, { type: 'hello' }>[] =>
      fake.received.filter((f): f is Extract<ClientFrame, { type: 'hello' }> => f.type === 'hello');
    // The reconnect's hello, not just its socket: a connection opens a moment before its first frame arrives.
    await until(() => hellos().length >= 2, 8000, 'the reconnect');
    expect(a.cache.syncState().lastSeq).toBe(2);
    expect(a.cache.listIncidents().map((i) => i.id)).toEqual(['i2']);
    expect(a.cache.silences().map((s) => s.id)).toEqual(['s1']);
    expect(hellos().map((h) => h.lastSeq)).toEqual([0, 2]);
  });

  it('replay after lastSeq brings incident and alert events in seq order, duplicates skipped', async () => {
    const log: ServerFrame[] = [
      incidentFrame(1, incident('inc-1', { alertIds: ['a1'] }), 'fired'),
      event(2, alert('a1', { incidentId: 'inc-1' })),
      event(3, alert('a2', { incidentId: 'inc-1' })),
      incidentFrame(4, incident('inc-1', { alertIds: ['a1', 'a2'] })),
      incidentFrame(5, incident('inc-1', { alertIds: ['a1', 'a2'], title: 'chat down' }), 'notified'),
    ];
    fake.onFrame = (ws, frame, n) => {
      if (frame.type !== 'hello') return;
      send(ws, welcome(n === 1 ? 3 : 5));
      if (n === 1) {
        for (const f of log.slice(0, 3)) send(ws, f);
        setTimeout(() => ws.terminate(), 100);
      } else {
        // A sloppy collector replays from the start: the cache skips what it has.
        for (const f of log) send(ws, f);
      }
    };
    const a = startApp();
    await until(() => a.cache.syncState().lastSeq === 5, 8000, 'seq 5');
    const hellos = fake.received.filter((f): f is Extract<ClientFrame, { type: 'hello' }> => f.type === 'hello');
    expect(hellos.map((h) => h.lastSeq)).toEqual([0, 3]);
    const d = a.cache.getIncident('inc-1');
    expect(d?.incident.title).toBe('chat down');
    expect(d?.timeline.map((t) => [t.seq, t.kind, t.alertId ?? null])).toEqual([
      [1, 'fired', null],
      [2, 'fired', 'a1'],
      [3, 'fired', 'a2'],
      [4, 'updated', null],
      [5, 'notified', null],
    ]);
  });

  it('rings once per incident (not in its group wait), counts members as they resolve, and Acknowledge sends an incident ack', async () => {
    let socket: Parameters<typeof send>[0] | undefined;
    const paging = incident('inc-1', {
      alertIds: ['a1', 'a2', 'a3'],
      escalation: { level: 1, target: 'ana', dueAt: new Date(Date.now() + HOUR).toISOString(), nextTarget: 'bob' },
    });
    fake.onFrame = (ws, frame) => {
      if (frame.type === 'hello') {
        socket = ws;
        send(ws, welcome(0));
        // Inside its group wait: no escalation yet, nothing rings.
        send(ws, incidentFrame(1, incident('inc-1', { alertIds: ['a1', 'a2', 'a3'] }), 'fired'));
        for (const [i, id] of ['a1', 'a2', 'a3'].entries()) send(ws, event(2 + i, alert(id, { incidentId: 'inc-1' })));
        setTimeout(() => send(ws, incidentFrame(5, paging, 'notified')), 300);
      }
      if (frame.type === 'command') {
        send(ws, { type: 'result', id: frame.id, ok: true });
        send(ws, incidentFrame(7, { ...paging, status: 'acknowledged', acknowledgedBy: 'ana' }, 'acknowledged'));
      }
    };
    const a = startApp();
    await until(() => a.cache.syncState().lastSeq === 4, 8000, 'seq 4');
    await new Promise((r) => setTimeout(r, 100));
    expect(notifier.sent).toEqual([]);
    await until(() => notifier.sent.length > 0, 8000, 'the ring');
    expect(notifier.sent).toEqual([
      expect.objectContaining({ id: 'inc-1', title: 'chat errors · 3 alerts', loud: true }),
    ]);
    expect(a.alarm.state().ringing).toEqual([expect.objectContaining({ incidentId: 'inc-1', alertCount: 3 })]);
    // A member resolves (an alert event, no incident event): the count follows, nothing rings.
    if (socket)
      send(socket, { ...event(6, alert('a3', { incidentId: 'inc-1', status: 'resolved' })), kind: 'resolved' });
    await until(() => a.alarm.state().ringing[0]?.alertCount === 2, 8000, 'the member count');
    expect(a.alarm.state().ringing[0]?.summary).toBe('chat errors · 2 alerts');
    notifier.press('inc-1');
    await until(() => a.alarm.state().ringing.length === 0, 8000, 'the ring to stop');
    const commands = fake.received.filter((f) => f.type === 'command');
    expect(commands).toEqual([{ type: 'command', id: expect.any(String), kind: 'ack', incidentId: 'inc-1' }]);
    expect(notifier.sent).toHaveLength(1);
  });

  it('a silence (and an incident ack) made offline are sent after reconnect; the next silences frame replaces the pending one', async () => {
    fake.onFrame = (ws, frame) => {
      if (frame.type !== 'hello') return;
      send(ws, welcome(1));
      if (frame.lastSeq < 1) send(ws, incidentFrame(1, incident('inc-1', { alertIds: ['a1'] }), 'fired'));
      send(ws, { type: 'silences', silences: [silence('s1')] });
    };
    const a = startApp();
    await until(() => a.cache.listIncidents().length === 1 && a.cache.silences().length === 1, 8000, 'the replica');
    const port = Number(new URL(url).port);
    await fake.close();
    await until(() => a.sync.status().state !== 'connected', 8000, 'offline');

    // Offline: the silence is queued and listed at once, as pending.
    const endsAt = new Date(Date.now() + 2 * HOUR).toISOString();
    const matchers = [{ name: 'service', op: '=' as const, value: 'chat' }];
    const { commandId } = await a.api.call('silences.create', { matchers, endsAt, comment: 'deploy window' });
    const ack = await a.api.call('incidents.command', { kind: 'ack', incidentId: 'inc-1', note: 'mine' });
    const pending = await a.api.call('silences.list', {});
    expect(pending.map((s) => [s.id, s.createdBy])).toEqual([
      [commandId, 'ana'],
      ['s1', 'bob'],
    ]);
    expect((await a.api.call('outbox.list', {})).map((i) => [i.kind, i.state])).toEqual([
      ['silence', 'queued'],
      ['ack', 'queued'],
    ]);

    // The collector is back (same port). It answers, then sends its list a moment later.
    const collectorCopy = silence(commandId, { matchers, endsAt, createdBy: 'ana', comment: 'deploy window' });
    fake = new FakeCollector(port);
    fake.onFrame = (ws, frame) => {
      if (frame.type === 'hello') {
        send(ws, welcome(1));
        send(ws, { type: 'silences', silences: [silence('s1')] });
      }
      if (frame.type === 'command') {
        send(ws, { type: 'result', id: frame.id, ok: true });
        if (frame.kind === 'silence') {
          setTimeout(() => send(ws, { type: 'silences', silences: [collectorCopy, silence('s1')] }), 400);
        }
      }
    };
    await until(() => a.cache.pendingCount() === 0, 10_000, 'the outbox to drain');
    const commands = fake.received.filter((f) => f.type === 'command');
    expect(commands).toEqual([
      { type: 'command', id: commandId, kind: 'silence', silence: { matchers, endsAt, comment: 'deploy window' } },
      { type: 'command', id: ack.commandId, kind: 'ack', incidentId: 'inc-1', note: 'mine' },
    ]);
    // Applied, but the collector's list has not said so yet: still listed (pending copy).
    expect((await a.api.call('silences.list', {})).map((s) => s.id)).toEqual([commandId, 's1']);
    await until(() => a.cache.silences().some((s) => s.id === commandId), 8000, 'the silences frame');
    const listed = await a.api.call('silences.list', {});
    expect(listed).toEqual([
      collectorCopy,
      silence('s1', { startsAt: listed[1]?.startsAt ?? '', endsAt: listed[1]?.endsAt ?? '' }),
    ]);
    expect(a.cache.pendingSilenceCommands()).toEqual([]);
  });
});

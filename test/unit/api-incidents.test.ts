import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiService, type StatusSource } from '../../electron/main/services/api.js';
import { openCache, type Cache } from '../../electron/main/services/cache/index.js';
import { Outbox, type CommandChannel } from '../../electron/main/services/outbox.js';
import { Listeners } from '../../electron/main/services/runtime.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { IncidentDetail, type ApiPush, type SyncStatus } from '../../shared/protocol/api.js';
import type { Incident } from '../../shared/protocol/incident.js';
import type { EventFrame, IncidentFrame } from '../../shared/protocol/stream.js';
import { wireAlert } from '../fixtures/wire-alert.js';

/** The incident and silence Api methods, on a real cache and outbox (offline: nothing is sent). */
const NOW_MS = Date.parse('2026-01-05T10:00:00.000Z');
const NOW = new Date(NOW_MS).toISOString();
const LATER = '2026-01-05T12:00:00.000Z';

const alert = (id: string, patch: Partial<Alert> = {}): Alert =>
  wireAlert(id, { summary: id, labels: { provider: 'openai' }, incidentId: 'inc-1', ...patch });

const incident = (id: string, patch: Partial<Incident> = {}): Incident => ({
  id,
  key: '{provider="openai"}',
  tier: 'page',
  status: 'firing',
  title: 'openai down',
  alertIds: ['pd', 'err'],
  firedAt: '2026-01-05T09:00:00.000Z',
  ...patch,
});

class FakeSync implements StatusSource {
  readonly alerts = new Listeners<string[]>();
  readonly incidents = new Listeners<string[]>();
  readonly silences = new Listeners<number>();
  status(): SyncStatus {
    return {
      state: 'offline',
      user: 'ana',
      collectorUrl: 'http://127.0.0.1:9',
      lastSeq: 0,
      since: NOW,
      serverOffsetMs: 0,
      pendingCommands: 0,
    };
  }
  onStatus = () => () => {};
  onAlertsChanged = (l: (ids: string[]) => void) => this.alerts.on(l);
  onIncidentsChanged = (l: (ids: string[]) => void) => this.incidents.on(l);
  onSilencesChanged = (l: (n: number) => void) => this.silences.on(l);
  refreshStatus = () => {};
}

const offline: CommandChannel = {
  isReady: () => false,
  send: () => false,
  onReady: () => () => {},
  onResult: () => () => {},
};

describe('Api: incidents and silences', () => {
  let cache: Cache;
  let sync: FakeSync;
  let api: ApiService;
  let pushes: ApiPush[];
  let ids = 0;

  beforeEach(() => {
    cache = openCache(':memory:', { now: NOW });
    sync = new FakeSync();
    const outbox = new Outbox({ cache, channel: offline, clock: { now: () => NOW_MS }, newId: () => `cmd-${++ids}` });
    api = new ApiService({ cache, sync, outbox, clock: { now: () => NOW_MS } });
    pushes = [];
    api.onPush((p) => pushes.push(p));
    const frames: (EventFrame | IncidentFrame)[] = [
      {
        type: 'incident',
        seq: 1,
        at: NOW,
        incidentId: 'inc-1',
        kind: 'fired',
        incident: incident('inc-1', { alertIds: ['pd'] }),
      },
      { type: 'event', seq: 2, at: NOW, alertId: 'pd', kind: 'fired', alert: alert('pd') },
      { type: 'event', seq: 3, at: NOW, alertId: 'err', kind: 'fired', alert: alert('err', { inhibitedBy: 'pd' }) },
      { type: 'incident', seq: 4, at: NOW, incidentId: 'inc-1', kind: 'updated', incident: incident('inc-1') },
      {
        type: 'event',
        seq: 5,
        at: NOW,
        alertId: 'other',
        kind: 'fired',
        alert: alert('other', { incidentId: 'inc-2' }),
      },
      {
        type: 'incident',
        seq: 6,
        at: NOW,
        incidentId: 'inc-2',
        kind: 'fired',
        incident: incident('inc-2', { alertIds: ['other'], firedAt: LATER, status: 'acknowledged' }),
      },
      {
        type: 'event',
        seq: 7,
        at: NOW,
        alertId: 'pd',
        kind: 'commented',
        actor: 'bob',
        note: 'on it',
        alert: alert('pd'),
      },
    ];
    cache.applyEvents(frames, NOW);
  });
  afterEach(() => {
    api.dispose();
    cache.close();
  });

  it('incidents.list: newest first, ?status', async () => {
    expect((await api.call('incidents.list', {})).map((i) => i.id)).toEqual(['inc-2', 'inc-1']);
    expect((await api.call('incidents.list', { status: 'firing' })).map((i) => i.id)).toEqual(['inc-1']);
    expect(await api.handle({ method: 'incidents.list', params: { status: 'burning' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field' },
    });
  });

  it('incidents.get: the incident, its members and the merged timeline by seq (member entries carry alertId)', async () => {
    const d = await api.call('incidents.get', { id: 'inc-1' });
    expect(IncidentDetail.parse(d)).toEqual(d);
    expect(d?.alerts.map((a) => a.id).sort()).toEqual(['err', 'pd']);
    expect(d?.timeline.map((t) => [t.seq, t.kind, t.alertId ?? null])).toEqual([
      [1, 'fired', null],
      [2, 'fired', 'pd'],
      [3, 'fired', 'err'],
      [4, 'updated', null],
      [7, 'commented', 'pd'],
    ]);
    expect(d?.timeline.at(-1)).toMatchObject({ actor: 'bob', note: 'on it' });
    expect(await api.call('incidents.get', { id: 'nope' })).toBeNull();
    expect(await api.handle({ method: 'incidents.get', params: { id: '' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field' },
    });
  });

  it('incidents.command: queued for that incident; unknown incident, snooze without until and bad kinds refused', async () => {
    const { commandId } = await api.call('incidents.command', { kind: 'ack', incidentId: 'inc-1' });
    expect(cache.outbox()).toEqual([
      expect.objectContaining({ id: commandId, kind: 'ack', incidentId: 'inc-1', state: 'queued' }),
    ]);
    expect(cache.outbox()[0]).not.toHaveProperty('alertId');
    const refused = async (params: unknown) => api.handle({ method: 'incidents.command', params });
    expect(await refused({ kind: 'ack', incidentId: 'inc-9' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    });
    expect(await refused({ kind: 'snooze', incidentId: 'inc-1' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field', message: expect.stringContaining('until') },
    });
    for (const kind of ['override', 'silence', 'expire-silence', 'nuke']) {
      expect(await refused({ kind, incidentId: 'inc-1' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_field' },
      });
    }
    expect(await refused({ kind: 'ack', incidentId: 'inc-1', alertId: 'pd' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field' },
    });
    // alerts.command no longer takes payload kinds either.
    expect(await api.handle({ method: 'alerts.command', params: { kind: 'override', alertId: 'pd' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field' },
    });
  });

  it('silences.create queues a silence listed at once as pending; silences.expire ends it; bad input refused', async () => {
    const matchers = [{ name: 'provider', op: '=' as const, value: 'openai' }];
    const { commandId } = await api.call('silences.create', {
      matchers,
      endsAt: LATER,
      comment: 'provider maintenance',
    });
    const listed = await api.call('silences.list', {});
    expect(listed).toEqual([
      { id: commandId, matchers, startsAt: NOW, endsAt: LATER, createdBy: 'ana', comment: 'provider maintenance' },
    ]);
    await new Promise((r) => setImmediate(r));
    expect(pushes).toContainEqual({ type: 'silences-changed', count: 1 });
    const expire = await api.call('silences.expire', { id: commandId });
    expect(cache.outbox().map((i) => [i.kind, i.id])).toEqual([
      ['silence', commandId],
      ['expire-silence', expire.commandId],
    ]);
    expect((await api.call('silences.list', {}))[0]?.endsAt).toBe(NOW);

    const refused = async (method: 'silences.create' | 'silences.expire', params: unknown) =>
      api.handle({ method, params });
    expect(await refused('silences.expire', { id: 'nope' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const bad: unknown[] = [
      { matchers: [], endsAt: LATER, comment: '' },
      { matchers, endsAt: 'tomorrow', comment: '' },
      { matchers, endsAt: LATER, comment: '', createdBy: 'mallory' },
      { matchers: [{ name: 'provider', op: '=~', value: '(' }], endsAt: LATER, comment: '' },
      { matchers, startsAt: LATER, endsAt: NOW, comment: '' },
      // Already over, and longer than any silence may be.
      { matchers, endsAt: '2026-01-05T09:00:00.000Z', comment: '' },
      { matchers, endsAt: '2028-01-05T09:00:00.000Z', comment: '' },
    ];
    for (const params of bad) {
      expect(await refused('silences.create', params), JSON.stringify(params)).toMatchObject({
        ok: false,
        error: { code: 'invalid_field' },
      });
    }
    expect(cache.outbox()).toHaveLength(2);
  });

  it('pushes incidents-changed (batched per tick) and silences-changed', async () => {
    sync.incidents.emit(['inc-1']);
    sync.incidents.emit(['inc-2', 'inc-1']);
    sync.silences.emit(0);
    await new Promise((r) => setImmediate(r));
    expect(pushes).toEqual([
      { type: 'incidents-changed', incidentIds: ['inc-1', 'inc-2'] },
      { type: 'silences-changed', count: 0 },
    ]);
  });
});

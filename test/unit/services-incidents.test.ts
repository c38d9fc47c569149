import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, migrations, openCache, type Cache, type LogFrame } from '../../electron/main/services/cache/index.js';
import { Outbox, toFrame, type CommandChannel } from '../../electron/main/services/outbox.js';
import { listedSilences } from '../../electron/main/services/silences.js';
import type { Alert } from '../../shared/protocol/alert.js';
import type { Incident, Silence } from '../../shared/protocol/incident.js';
import { CommandFrame, type EventFrame, type IncidentFrame } from '../../shared/protocol/stream.js';
import { wireAlert } from '../fixtures/wire-alert.js';

/** Protocol 5 in the desktop cache: incidents, their log entries (one seq space with alert events), silences. */
const NOW = '2026-01-05T10:00:00.000Z';

const alert = (id: string, patch: Partial<Alert> = {}): Alert =>
  wireAlert(id, { labels: { provider: 'openai' }, incidentId: 'inc-1', ...patch });

function incident(id: string, patch: Partial<Incident> = {}): Incident {
  return {
    id,
    key: '{provider="openai"}',
    tier: 'page',
    status: 'firing',
    title: 'openai down',
    alertIds: [],
    firedAt: '2026-01-05T09:00:00.000Z',
    ...patch,
  };
}

const at = (seq: number) => `2026-01-05T09:${String(seq % 60).padStart(2, '0')}:00.000Z`;
const ev = (seq: number, a: Alert, kind: EventFrame['kind'] = 'fired'): EventFrame => ({
  type: 'event',
  seq,
  at: at(seq),
  alertId: a.id,
  kind,
  alert: a,
});
const inc = (seq: number, i: Incident, kind: IncidentFrame['kind'] = 'updated', actor?: string): IncidentFrame => ({
  type: 'incident',
  seq,
  at: at(seq),
  incidentId: i.id,
  kind,
  incident: i,
  ...(actor ? { actor } : {}),
});

const silence = (id: string, patch: Partial<Silence> = {}): Silence => ({
  id,
  matchers: [{ name: 'provider', op: '=', value: 'openai' }],
  startsAt: '2026-01-05T09:00:00.000Z',
  endsAt: '2026-01-05T12:00:00.000Z',
  createdBy: 'bob',
  comment: 'maintenance',
  ...patch,
});

/** The demo outage as the collector logs it: incident opened, members join, it rings, ana acks. */
function outageLog(): LogFrame[] {
  const pd = alert('pd', { ruleId: 'provider-down' });
  const err = alert('err', { inhibitedBy: 'pd' });
  return [
    inc(1, incident('inc-1', { alertIds: ['pd'] }), 'fired'),
    ev(2, pd),
    ev(3, err),
    inc(4, incident('inc-1', { alertIds: ['pd', 'err'], inhibitedAlertIds: ['err'] })),
    inc(
      5,
      incident('inc-1', {
        alertIds: ['pd', 'err'],
        escalation: { level: 1, target: 'ana', dueAt: '2026-01-05T09:30:00.000Z', nextTarget: 'bob' },
      }),
      'notified',
    ),
    ev(6, { ...err, status: 'acknowledged', acknowledgedBy: 'ana' }, 'acknowledged'),
    ev(7, { ...pd, status: 'acknowledged', acknowledgedBy: 'ana' }, 'acknowledged'),
    inc(
      8,
      incident('inc-1', { alertIds: ['pd', 'err'], status: 'acknowledged', acknowledgedBy: 'ana' }),
      'acknowledged',
      'ana',
    ),
  ];
}

describe('cache: incidents and silences (migration 0007)', () => {
  let dir: string;
  let cache: Cache;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cache-inc-'));
    cache = openCache(join(dir, 'cache.db'), { now: NOW });
  });
  afterEach(() => {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies alert and incident events in one seq space; a replay changes nothing', () => {
    const log = outageLog();
    expect(cache.applyEvents(log, NOW)).toEqual({ alerts: ['pd', 'err'], incidents: ['inc-1'] });
    expect(cache.syncState().lastSeq).toBe(8);
    expect(cache.applyEvents(log, NOW)).toEqual({ alerts: [], incidents: [] });
    // A replay after lastSeq 5 brings both kinds, in seq order.
    expect(cache.applyEvents(log.slice(3), NOW)).toEqual({ alerts: [], incidents: [] });
    expect(cache.incident('inc-1')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ana' });
  });

  it('incident detail: members and ONE timeline merging incident entries (no alertId) and member entries, by seq', () => {
    cache.applyEvents(outageLog(), NOW);
    const d = cache.getIncident('inc-1');
    expect(d?.alerts.map((a) => a.id).sort()).toEqual(['err', 'pd']);
    expect(d?.timeline.map((t) => [t.seq, t.kind, t.alertId])).toEqual([
      [1, 'fired', undefined],
      [2, 'fired', 'pd'],
      [3, 'fired', 'err'],
      [4, 'updated', undefined],
      [5, 'notified', undefined],
      [6, 'acknowledged', 'err'],
      [7, 'acknowledged', 'pd'],
      [8, 'acknowledged', undefined],
    ]);
    expect(d?.timeline.at(-1)).toMatchObject({ actor: 'ana' });
    expect(cache.getIncident('nope')).toBeNull();
    // An alert's own detail still has only its own entries.
    expect(cache.getAlert('pd')?.timeline.map((t) => t.seq)).toEqual([2, 7]);
  });

  it('lists incidents newest first, filters by status, counts open members', () => {
    cache.applyEvents(
      [
        inc(1, incident('old', { firedAt: '2026-01-01T00:00:00.000Z', alertIds: ['a', 'b', 'c'] }), 'fired'),
        inc(2, incident('new', { firedAt: '2026-01-04T00:00:00.000Z', status: 'resolved', resolvedAt: NOW }), 'fired'),
        ev(3, alert('a', { incidentId: 'old', status: 'resolved' })),
        ev(4, alert('b', { incidentId: 'old' })),
      ],
      NOW,
    );
    expect(cache.listIncidents().map((i) => i.id)).toEqual(['new', 'old']);
    expect(cache.listIncidents('firing').map((i) => i.id)).toEqual(['old']);
    const old = cache.incident('old');
    // a resolved; b open; c not (yet) in the cache counts as open.
    expect(old && cache.openMemberCount(old)).toBe(2);
    // Which incidents a change of alerts touches (the alarm re-reads those).
    expect(cache.incidentIdsOf(['a', 'b', 'unknown'])).toEqual(['old']);
    expect(cache.incidentIdsOf([])).toEqual([]);
  });

  it('a snapshot replaces alerts and incidents together, reporting what left too', () => {
    cache.applyEvents(outageLog(), NOW);
    const changed = cache.applySnapshot(
      {
        lastSeq: 40,
        alerts: [alert('x', { incidentId: 'inc-2' })],
        incidents: [incident('inc-2', { alertIds: ['x'] })],
      },
      NOW,
    );
    expect(new Set(changed.incidents)).toEqual(new Set(['inc-1', 'inc-2']));
    expect(new Set(changed.alerts)).toEqual(new Set(['pd', 'err', 'x']));
    expect(cache.listIncidents().map((i) => i.id)).toEqual(['inc-2']);
    expect(cache.syncState().lastSeq).toBe(40);
    // A snapshot behind us (the collector's log restarted) drops both timelines.
    cache.applySnapshot({ lastSeq: 3, alerts: [], incidents: [incident('inc-1', { alertIds: ['pd'] })] }, NOW);
    expect(cache.getIncident('inc-1')?.timeline).toEqual([]);
  });

  it('silences: replace-all copy; silence commands stay pending until a silences frame follows their answer', () => {
    cache.replaceSilences([silence('s1'), silence('s2')], Date.parse(NOW));
    expect(cache.silences().map((s) => s.id)).toEqual(['s1', 's2']);
    cache.enqueue({
      id: 'cmd-silence',
      kind: 'silence',
      silence: {
        matchers: [{ name: 'service', op: '=', value: 'chat' }],
        endsAt: '2026-01-05T11:00:00.000Z',
        comment: 'x',
      },
      createdAt: NOW,
    });
    cache.enqueue({ id: 'cmd-expire', kind: 'expire-silence', silenceId: 's2', createdAt: NOW });
    expect(cache.pendingSilenceCommands().map((c) => [c.id, c.kind])).toEqual([
      ['cmd-silence', 'silence'],
      ['cmd-expire', 'expire-silence'],
    ]);
    // Applied, but the list has not said so yet: still pending.
    cache.markOutbox('cmd-silence', 'applied');
    cache.markOutbox('cmd-expire', 'failed', 'no such silence');
    expect(cache.pendingSilenceCommands().map((c) => c.id)).toEqual(['cmd-silence']);
    cache.replaceSilences([silence('s1'), silence('cmd-silence')], Date.parse(NOW));
    expect(cache.pendingSilenceCommands()).toEqual([]);
    expect(cache.silences().map((s) => s.id)).toEqual(['s1', 'cmd-silence']);
  });

  it('a silences list that arrives before the command result still reflects the command', () => {
    cache.enqueue({
      id: 'cmd-early',
      kind: 'silence',
      silence: {
        matchers: [{ name: 'service', op: '=', value: 'chat' }],
        endsAt: '2026-01-05T12:00:00.000Z',
        comment: '',
      },
      createdAt: NOW,
    });
    cache.enqueue({ id: 'cmd-exp', kind: 'expire-silence', silenceId: 's1', createdAt: NOW });
    cache.markOutbox('cmd-early', 'sent');
    cache.markOutbox('cmd-exp', 'sent');
    // The collector broadcast the list (s1 ended just now) before it answered either command.
    const ended = { ...silence('s1'), endsAt: NOW };
    cache.replaceSilences([ended, silence('cmd-early')], Date.parse(NOW));
    expect(cache.pendingSilenceCommands()).toEqual([]);
  });

  it('the replica reset forgets incidents, their timeline and silences', () => {
    cache.applyEvents(outageLog(), NOW);
    cache.replaceSilences([silence('s1')], Date.parse(NOW));
    cache.resetReplica();
    expect(cache.listIncidents()).toEqual([]);
    expect(cache.silences()).toEqual([]);
    expect(cache.syncState().lastSeq).toBe(0);
  });

  it('an unreadable silence row is skipped, not a crash', () => {
    cache.replaceSilences([silence('s1'), silence('s2')], Date.parse(NOW));
    const db = new Database(cache.path);
    db.prepare("UPDATE silences SET json = '{\"id\": 3}' WHERE id = 's2'").run();
    db.close();
    expect(cache.silences().map((s) => s.id)).toEqual(['s1']);
  });

  it('property: any interleaving of replays of a mixed log ends where applying each entry once does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 10 }), { maxLength: 8 }),
        (batches) => {
          const c = openCache(':memory:', { now: NOW });
          const frame = (s: number): LogFrame =>
            s % 2 === 0
              ? ev(s, alert(`a${s % 3}`, { summary: `v${s}`, incidentId: 'i' }))
              : inc(s, incident('i', { title: `t${s}`, alertIds: ['a0', 'a1', 'a2'] }));
          const seen: number[] = [];
          for (const batch of batches) {
            const sorted = [...batch].sort((x, y) => x - y);
            c.applyEvents(sorted.map(frame), NOW);
            for (const s of sorted) if (s > (seen.at(-1) ?? 0)) seen.push(s);
          }
          expect(c.syncState().lastSeq).toBe(seen.at(-1) ?? 0);
          const lastOdd = [...seen].reverse().find((s) => s % 2 === 1);
          const d = c.getIncident('i');
          expect(d?.incident.title).toBe(lastOdd === undefined ? undefined : `t${lastOdd}`);
          if (d) expect(d.timeline.map((t) => t.seq)).toEqual(seen);
          c.close();
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('migration 0007 on a cache with commands queued under protocol 4', () => {
  it('keeps queued commands (an override loses the ROTATION_TARGET placeholder); the alert replica starts over', () => {
    const db = new Database(':memory:');
    migrate(
      db,
      migrations.filter((m) => m.version < 7),
      NOW,
    );
    db.prepare(
      "INSERT INTO outbox (id, kind, alert_id, created_at, state) VALUES ('c1', 'ack', 'a1', ?, 'queued')",
    ).run(NOW);
    db.prepare(
      "INSERT INTO outbox (id, kind, alert_id, created_at, state, payload) VALUES ('c2', 'override', 'rotation', ?, 'queued', '{}')",
    ).run(NOW);
    db.prepare(
      "INSERT INTO alerts (id, status, tier, fired_at, updated_seq, json) VALUES ('a1', 'firing', 'page', ?, 7, '{}')",
    ).run(NOW);
    db.prepare("INSERT INTO timeline (seq, at, alert_id, kind) VALUES (7, ?, 'a1', 'fired')").run(NOW);
    db.prepare('UPDATE sync_state SET last_seq = 7, last_sync_at = ?').run(NOW);
    expect(
      migrate(
        db,
        migrations.filter((m) => m.version <= 7),
        NOW,
      ),
    ).toEqual([7]);
    // Protocol 4 alerts have no incident: the next hello asks from 0 and gets alerts and incidents whole.
    expect(db.prepare('SELECT COUNT(*) AS n FROM alerts').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM timeline').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT last_seq, last_sync_at FROM sync_state').get()).toEqual({
      last_seq: 0,
      last_sync_at: null,
    });
    expect(db.prepare('SELECT id, alert_id, incident_id FROM outbox ORDER BY pos').all()).toEqual([
      { id: 'c1', alert_id: 'a1', incident_id: null },
      { id: 'c2', alert_id: null, incident_id: null },
    ]);
    // New commands keep counting after the copied ones.
    db.prepare("INSERT INTO outbox (id, kind, created_at, state) VALUES ('c3', 'silence', ?, 'queued')").run(NOW);
    expect(db.prepare("SELECT pos FROM outbox WHERE id = 'c3'").get()).toEqual({ pos: 3 });
    db.close();
  });
});

describe('outbox: commands name their target', () => {
  const base = { createdAt: NOW, state: 'queued' as const, attempts: 0 };
  it('a targeted kind carries exactly its target; payload kinds carry only their payload', () => {
    const frames = [
      toFrame({ ...base, id: '1', kind: 'ack', alertId: 'a1' }),
      toFrame({ ...base, id: '2', kind: 'ack', incidentId: 'i1' }),
      toFrame({ ...base, id: '3', kind: 'snooze', incidentId: 'i1', until: NOW }),
      toFrame({
        ...base,
        id: '4',
        kind: 'silence',
        silence: { matchers: [{ name: 'service', op: '=', value: 'chat' }], endsAt: NOW, comment: '' },
      }),
      toFrame({ ...base, id: '5', kind: 'expire-silence', silenceId: 's1' }),
      toFrame({
        ...base,
        id: '6',
        kind: 'override',
        override: { role: 'primary', user: 'ana', from: NOW, to: '2026-01-06T10:00:00.000Z' },
      }),
    ];
    for (const f of frames) expect(CommandFrame.safeParse(f).success).toBe(true);
    expect(frames[1]).toEqual({ type: 'command', id: '2', kind: 'ack', incidentId: 'i1' });
    expect(frames[4]).toEqual({ type: 'command', id: '5', kind: 'expire-silence', silenceId: 's1' });
    expect(frames[5]).not.toHaveProperty('alertId');
  });

  it('a stored command that no longer makes a valid frame fails visibly instead of being sent', () => {
    const cache = openCache(':memory:', { now: NOW });
    const sent: unknown[] = [];
    const channel: CommandChannel = {
      isReady: () => true,
      send: (f) => (sent.push(f), true),
      onReady: () => () => {},
      onResult: () => () => {},
    };
    // A silence whose payload is gone (a hand-edited file): no silence to send.
    cache.enqueue({ id: 'bad', kind: 'silence', createdAt: NOW });
    const outbox = new Outbox({ cache, channel, newId: () => 'good' });
    outbox.start();
    outbox.enqueueIncident({ kind: 'ack', incidentId: 'i1' });
    expect(sent).toEqual([{ type: 'command', id: 'good', kind: 'ack', incidentId: 'i1' }]);
    expect(cache.outbox().map((i) => [i.id, i.state, i.incidentId])).toEqual([
      ['bad', 'failed', undefined],
      ['good', 'sent', 'i1'],
    ]);
    outbox.dispose();
    cache.close();
  });
});

describe('listedSilences: synced plus pending', () => {
  const req = {
    matchers: [{ name: 'service', op: '=' as const, value: 'chat' }],
    endsAt: '2026-01-05T11:00:00.000Z',
    comment: 'deploy',
  };
  it('a pending silence looks like the one the collector will make; the synced copy wins once it has it', () => {
    const pending = [{ id: 'cmd-1', kind: 'silence' as const, createdAt: NOW, state: 'queued' as const, silence: req }];
    expect(listedSilences([silence('s1')], pending, 'ana')).toEqual([
      { id: 'cmd-1', matchers: req.matchers, startsAt: NOW, endsAt: req.endsAt, createdBy: 'ana', comment: 'deploy' },
      silence('s1'),
    ]);
    const synced = silence('cmd-1', { createdBy: 'ana', comment: 'deploy (collector copy)' });
    expect(listedSilences([synced], pending, 'ana')).toEqual([synced]);
  });
  it('a pending expiry ends its silence at the moment it was asked for', () => {
    const pending = [
      {
        id: 'x',
        kind: 'expire-silence' as const,
        createdAt: '2026-01-05T10:30:00.000Z',
        state: 'sent' as const,
        silenceId: 's1',
      },
    ];
    expect(listedSilences([silence('s1')], pending, 'ana')[0]?.endsAt).toBe('2026-01-05T10:30:00.000Z');
    // Expiring one that has not started yet ends it where it starts (never before).
    const future = silence('s1', { startsAt: '2026-01-05T11:00:00.000Z' });
    expect(listedSilences([future], pending, 'ana')[0]).toMatchObject({
      startsAt: '2026-01-05T11:00:00.000Z',
      endsAt: '2026-01-05T11:00:00.000Z',
    });
  });
});

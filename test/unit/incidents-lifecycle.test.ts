import { describe, expect, it } from 'vitest';
import { Incident, IncidentList } from '../../shared/protocol/incident.js';
import {
  RESOLVED_KEEP_MS,
  notifications,
  restoreIncidentState,
  toWireIncident,
  wireIncidents,
} from '../../shared/incidents/index.js';
import { alert, Driver, SEC, T0 } from '../fixtures/incidents.js';

const chat = (id: string, over = {}) => alert(id, { labels: { service: 'chat', provider: 'openai' }, ...over });

describe('group wait', () => {
  it('alerts arriving together ring once, after the wait (not before)', () => {
    const d = new Driver();
    expect(d.alert(chat('a'), T0)).toEqual([]);
    expect(d.alert(chat('b'), T0 + 10 * SEC)).toEqual([]);
    expect(d.tick(T0 + 29 * SEC)).toEqual([]);
    const rung = d.tick(T0 + 30 * SEC);
    expect(rung).toMatchObject([{ kind: 'ring', ring: 1, reason: 'opened', alertIds: ['a', 'b'] }]);
    expect(d.tick(T0 + 31 * SEC)).toEqual([]);
  });

  it('a member joining an already-rung incident updates its text once and does not ring', () => {
    const d = new Driver();
    d.alert(chat('a', { summary: 'chat errors' }), T0);
    d.tick(T0 + 30 * SEC);
    const joined = d.alert(chat('b'), T0 + 40 * SEC);
    expect(joined).toMatchObject([{ kind: 'update', ring: 1, text: 'chat errors · 2 alerts' }]);
    expect(d.tick(T0 + 50 * SEC)).toEqual([]);
    expect(d.rings()).toHaveLength(1);
  });

  it('notifications() is a pure view: the same answer until the ring is marked sent', () => {
    const d = new Driver();
    d.alert(chat('a'), T0);
    const s = d.state;
    expect(notifications(s, T0 + 30 * SEC)).toEqual(notifications(s, T0 + 30 * SEC));
    expect(notifications(s, T0 + 30 * SEC)).toHaveLength(1);
  });
});

describe('tier', () => {
  it('is the highest member tier: a ticket incident gaining a page member pages', () => {
    const d = new Driver();
    d.alert(chat('t', { tier: 'ticket' }), T0);
    d.tick(T0 + 30 * SEC);
    expect(d.rings()).toMatchObject([{ tier: 'ticket', ring: 1 }]);
    d.alert(chat('p', { tier: 'page' }), T0 + 60 * SEC);
    const id = d.incidentOf('t')!;
    expect(d.state.incidents[id]?.tier).toBe('page');
    expect(d.rings()).toMatchObject([
      { tier: 'ticket', ring: 1 },
      { tier: 'page', ring: 2, reason: 'promoted' },
    ]);
  });

  it('promotion reopens an acknowledged ticket incident (a ticket ack does not cover a page)', () => {
    const d = new Driver();
    d.alert(chat('t', { tier: 'ticket' }), T0);
    d.tick(T0 + 30 * SEC);
    const id = d.incidentOf('t')!;
    d.run({ kind: 'action', incidentId: id, action: { kind: 'ack', by: 'ana' } }, T0 + 40 * SEC);
    d.alert(chat('p', { tier: 'page' }), T0 + 60 * SEC);
    expect(d.state.incidents[id]?.status).toBe('firing');
    expect(d.rings().at(-1)).toMatchObject({ tier: 'page', reason: 'promoted' });
  });

  it('never drops below the tier it rang at; before ringing it follows the members', () => {
    const d = new Driver();
    d.alert(chat('p', { tier: 'page' }), T0);
    d.alert(chat('t', { tier: 'ticket' }), T0 + SEC);
    d.tick(T0 + 30 * SEC);
    d.alert(chat('p', { tier: 'page', status: 'resolved' }), T0 + 60 * SEC);
    expect(d.state.incidents[d.incidentOf('t')!]?.tier).toBe('page');
  });

  it('a silenced page member does not make the incident a page', () => {
    const d = new Driver();
    d.run(
      {
        kind: 'silence',
        silence: {
          id: 's',
          matchers: [{ name: 'alertname', op: '=', value: 'noisy' }],
          startsAt: new Date(T0).toISOString(),
          endsAt: new Date(T0 + 3_600_000).toISOString(),
          createdBy: 'ana',
          comment: '',
        },
      },
      T0,
    );
    d.alert(chat('t', { tier: 'ticket' }), T0);
    d.alert(chat('p', { tier: 'page', ruleId: 'noisy' }), T0);
    d.tick(T0 + 30 * SEC);
    expect(d.rings()).toMatchObject([{ tier: 'ticket' }]);
  });
});

describe('status: commands apply to the incident and all members', () => {
  function rung() {
    const d = new Driver();
    d.alert(chat('a'), T0);
    d.alert(chat('b'), T0 + SEC);
    d.tick(T0 + 30 * SEC);
    return { d, id: d.incidentOf('a')! };
  }

  it('ack marks every open member acknowledged; a pending ring is cancelled', () => {
    const d = new Driver();
    d.alert(chat('a'), T0);
    d.alert(chat('b'), T0);
    const id = d.incidentOf('a')!;
    d.run({ kind: 'action', incidentId: id, action: { kind: 'ack', by: 'ana' } }, T0 + 5 * SEC);
    expect(d.state.incidents[id]).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'ana',
      acknowledgedAt: T0 + 5 * SEC,
    });
    expect(d.state.alerts.a?.status).toBe('acknowledged');
    expect(d.state.alerts.b?.status).toBe('acknowledged');
    d.tick(T0 + 60 * SEC);
    expect(d.rings()).toHaveLength(0);
  });

  it('escalate rings again now, even when acknowledged; mitigate stamps; unack returns to firing', () => {
    const { d, id } = rung();
    d.run({ kind: 'action', incidentId: id, action: { kind: 'ack', by: 'ana' } }, T0 + 40 * SEC);
    d.run({ kind: 'action', incidentId: id, action: { kind: 'escalate' } }, T0 + 50 * SEC);
    expect(d.rings().map((r) => [r.ring, r.reason])).toEqual([
      [1, 'opened'],
      [2, 'escalated'],
    ]);
    d.run({ kind: 'action', incidentId: id, action: { kind: 'mitigate' } }, T0 + 60 * SEC);
    expect(d.state.incidents[id]?.mitigatedAt).toBe(T0 + 60 * SEC);
    d.run({ kind: 'action', incidentId: id, action: { kind: 'unack' } }, T0 + 70 * SEC);
    expect(d.state.incidents[id]?.status).toBe('firing');
    expect(d.state.incidents[id]?.acknowledgedBy).toBeUndefined();
    expect(d.state.alerts.a?.status).toBe('firing');
  });

  it('snooze quiets the incident and rings again when it runs out', () => {
    const { d, id } = rung();
    d.run({ kind: 'action', incidentId: id, action: { kind: 'snooze', until: T0 + 600 * SEC } }, T0 + 40 * SEC);
    expect(d.state.alerts.b?.status).toBe('snoozed');
    d.tick(T0 + 599 * SEC);
    expect(d.rings()).toHaveLength(1);
    d.tick(T0 + 600 * SEC);
    expect(d.rings().map((r) => r.reason)).toEqual(['opened', 'unsnoozed']);
    expect(d.state.incidents[id]?.status).toBe('firing');
  });

  it('resolves when the last member resolves, not before; then frees its key', () => {
    const { d, id } = rung();
    d.alert(chat('a', { status: 'resolved' }), T0 + 60 * SEC);
    expect(d.state.incidents[id]?.status).toBe('firing');
    d.alert(chat('b', { status: 'resolved' }), T0 + 70 * SEC);
    expect(d.state.incidents[id]).toMatchObject({ status: 'resolved', resolvedAt: T0 + 70 * SEC });
    d.alert(chat('c'), T0 + 80 * SEC);
    expect(d.incidentOf('c')).not.toBe(id);
  });

  it('resolve by hand resolves every member; a resolved incident takes no further commands', () => {
    const { d, id } = rung();
    d.run({ kind: 'action', incidentId: id, action: { kind: 'resolve' } }, T0 + 60 * SEC);
    expect(d.state.incidents[id]?.status).toBe('resolved');
    expect([d.state.alerts.a?.status, d.state.alerts.b?.status]).toEqual(['resolved', 'resolved']);
    const before = d.state;
    d.run({ kind: 'action', incidentId: id, action: { kind: 'ack', by: 'ana' } }, T0 + 70 * SEC);
    expect(d.state.incidents[id]).toEqual(before.incidents[id]);
  });
});

describe('wire', () => {
  it('renders incidents in the protocol shape, newest first', () => {
    const d = new Driver();
    d.alert(chat('a'), T0);
    d.alert(alert('x', { labels: { service: 'search' } }), T0 + SEC);
    const list = IncidentList.parse({ incidents: wireIncidents(d.state) });
    expect(list.incidents.map((i) => i.alertIds)).toEqual([['x'], ['a']]);
    const one = Incident.parse(toWireIncident(d.state, d.state.incidents[d.incidentOf('a')!]!));
    expect(one).toMatchObject({
      key: '{service="chat"}',
      status: 'firing',
      tier: 'page',
      firedAt: new Date(T0).toISOString(),
    });
    // firedAt is the earliest member's, even when the incident opened later.
    d.alert(chat('early', { firedAt: T0 - 60 * SEC }), T0 + 2 * SEC);
    const later = toWireIncident(d.state, d.state.incidents[d.incidentOf('a')!]!);
    expect(later.firedAt).toBe(new Date(T0 - 60 * SEC).toISOString());
    // Inhibited members are listed; an incident whose open members are all silenced says so.
    d.alert(alert('down', { ruleId: 'provider-down', tier: 'review', labels: { provider: 'openai' } }), T0 + 3 * SEC);
    const outage = toWireIncident(d.state, d.state.incidents[d.incidentOf('down')!]!);
    expect(outage.inhibitedAlertIds?.sort()).toEqual(['a', 'early']);
    expect(outage.silenced).toBeUndefined();
  });

  it('a malformed persisted state is refused with a path', () => {
    expect(() =>
      restoreIncidentState(
        JSON.stringify({ seq: 1, incidents: { x: { id: 1 } }, alerts: {}, openByKey: {}, silences: [] }),
      ),
    ).toThrow(/incidents/);
  });
});

describe('bounds and batches', () => {
  it('drops resolved incidents and their alerts RESOLVED_KEEP_MS after resolving; a re-fire within it reopens', () => {
    const d = new Driver();
    d.alert(chat('a'), T0);
    const id = d.incidentOf('a')!;
    d.alert(chat('a', { status: 'resolved' }), T0 + 60 * SEC);
    d.alert(chat('a'), T0 + 60 * SEC + RESOLVED_KEEP_MS);
    expect(d.incidentOf('a')).toBe(id);
    expect(d.state.incidents[id]?.status).toBe('firing');
    d.alert(chat('a', { status: 'resolved' }), T0 + 2 * RESOLVED_KEEP_MS);
    d.tick(T0 + 3 * RESOLVED_KEEP_MS + 1);
    expect(d.state.incidents[id]).toBeUndefined();
    expect(d.state.alerts.a).toBeUndefined();
    d.alert(chat('a'), T0 + 3 * RESOLVED_KEEP_MS + 2);
    expect(d.incidentOf('a')).not.toBe(id);
  });

  it('a batch is dispatched in order and groups as feeding the alerts one by one at the same time does', () => {
    const batch = [
      chat('a'),
      alert('d', { ruleId: 'provider-down', labels: { provider: 'openai' } }),
      chat('b'),
      alert('x', { labels: { service: 'search', provider: 'anthropic' } }),
    ];
    const one = new Driver();
    for (const a of batch) one.alert(a, T0);
    const all = new Driver();
    all.run({ kind: 'alerts', alerts: batch }, T0);
    // Ids may differ (a batch opens fewer transient groups); the grouping is the same.
    const groups = (d: Driver) =>
      Object.values(d.state.incidents)
        .map((i) => [...i.alertIds].sort().join(','))
        .sort();
    expect(groups(all)).toEqual(groups(one));
    expect(groups(all)).toEqual(['a,b,d', 'x']);
    all.tick(T0 + 30 * SEC);
    expect(
      all
        .rings()
        .map((r) => r.alertIds.length)
        .sort(),
    ).toEqual([1, 3]);
  });
});

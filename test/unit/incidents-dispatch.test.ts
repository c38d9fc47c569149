import { describe, expect, it } from 'vitest';
import {
  GroupingConfig,
  dispatch,
  emptyIncidentState,
  groupKey,
  restoreIncidentState,
} from '../../shared/incidents/index.js';
import { alert, SEC, T0 } from '../fixtures/incidents.js';

const grouping = GroupingConfig.parse({});
const BY = grouping.by;

describe('groupKey', () => {
  it('groups by service, falling back to provider, else the alert alone', () => {
    expect(groupKey(alert('a', { labels: { service: 'chat', provider: 'openai' } }), BY)).toBe('{service="chat"}');
    expect(groupKey(alert('a', { labels: { provider: 'openai' } }), BY)).toBe('{provider="openai"}');
    expect(groupKey(alert('a', { labels: { service: '', provider: 'openai' } }), BY)).toBe('{provider="openai"}');
    expect(groupKey(alert('a', { labels: {} }), BY)).toBe('alert:a');
  });

  it('keeps Alertmanager groups (groupKey) and quotes values so none forges another key', () => {
    expect(
      groupKey(alert('a', { source: 'alertmanager', groupKey: '{}:{alertname="X"}', labels: { service: 'chat' } }), BY),
    ).toBe('am:{}:{alertname="X"}');
    // Only Alertmanager's groupKey is trusted as a key.
    expect(groupKey(alert('a', { source: 'rules', groupKey: 'g', labels: { service: 'chat' } }), BY)).toBe(
      '{service="chat"}',
    );
    const multi = [['service', 'model']];
    const a = groupKey(alert('a', { labels: { service: 'x",model="y', model: 'z' } }), multi);
    const b = groupKey(alert('b', { labels: { service: 'x', model: 'y",model="z' } }), multi);
    expect(a).not.toBe(b);
  });
});

describe('dispatch', () => {
  it('opens an incident for a new key with its first ring after the group wait', () => {
    const r = dispatch(emptyIncidentState(), alert('a', { labels: { service: 'chat' } }), T0, grouping);
    expect(r.opened).toBe(true);
    const inc = r.state.incidents[r.incidentId];
    expect(inc).toMatchObject({ key: '{service="chat"}', status: 'firing', alertIds: ['a'], openedAt: T0, rings: 0 });
    expect(inc?.pendingRing).toEqual({ reason: 'opened', dueAt: T0 + 30 * SEC });
    expect(r.state.alerts.a?.incidentId).toBe(r.incidentId);
  });

  it('joins the open incident with the same key within the window; a new one opens after it', () => {
    const g = GroupingConfig.parse({ window: '10m' });
    let s = dispatch(emptyIncidentState(), alert('a', { labels: { service: 'chat' } }), T0, g).state;
    const b = dispatch(s, alert('b', { labels: { service: 'chat', provider: 'anthropic' } }), T0 + 9 * 60 * SEC, g);
    expect(b.opened).toBe(false);
    s = b.state;
    // The window slides from the latest member: 9 + 10 minutes.
    const c = dispatch(s, alert('c', { labels: { service: 'chat' } }), T0 + 19 * 60 * SEC, g);
    expect(c.incidentId).toBe(b.incidentId);
    const d = dispatch(c.state, alert('d', { labels: { service: 'chat' } }), T0 + 30 * 60 * SEC, g);
    expect(d.opened).toBe(true);
    expect(d.incidentId).not.toBe(b.incidentId);
    const other = dispatch(d.state, alert('e', { labels: { service: 'search' } }), T0 + 30 * 60 * SEC, g);
    expect(other.opened).toBe(true);
  });

  it('keeps the group wait from the opening: joining does not push the first ring back', () => {
    let s = dispatch(emptyIncidentState(), alert('a', { labels: { service: 'chat' } }), T0, grouping).state;
    s = dispatch(s, alert('b', { labels: { service: 'chat' } }), T0 + 20 * SEC, grouping).state;
    expect(Object.values(s.incidents)[0]?.pendingRing?.dueAt).toBe(T0 + 30 * SEC);
  });

  it('one Alertmanager group is one incident, whatever the labels and however long it lasts', () => {
    const am = (id: string, service: string) =>
      alert(id, { source: 'alertmanager', groupKey: 'G1', labels: { service } });
    const r1 = dispatch(emptyIncidentState(), am('a', 'chat'), T0, grouping);
    const r2 = dispatch(r1.state, am('b', 'search'), T0 + 5 * 3_600_000, grouping);
    expect(r2.incidentId).toBe(r1.incidentId);
    expect(r2.state.incidents[r1.incidentId]?.alertIds).toEqual(['a', 'b']);
  });

  it('an alert already assigned stays in its incident even if its labels change', () => {
    const r1 = dispatch(emptyIncidentState(), alert('a', { labels: { service: 'chat' } }), T0, grouping);
    const r2 = dispatch(
      r1.state,
      alert('a', { labels: { service: 'search' }, summary: 'new text' }),
      T0 + SEC,
      grouping,
    );
    expect(r2.incidentId).toBe(r1.incidentId);
    expect(r2.opened).toBe(false);
    expect(r2.state.alerts.a?.summary).toBe('new text');
    expect(Object.keys(r2.state.incidents)).toHaveLength(1);
  });

  it('a resolved member firing again reopens its incident (it does not move)', () => {
    let s = dispatch(emptyIncidentState(), alert('a', { labels: { service: 'chat' } }), T0, grouping).state;
    const id = s.alerts.a!.incidentId;
    s = dispatch(s, alert('a', { labels: { service: 'chat' }, status: 'resolved' }), T0 + SEC, grouping).state;
    // It had rung and been held by alice before it resolved.
    const held = { level: 1, target: 'alice', dueAt: T0 + 30 * SEC };
    s = {
      ...s,
      incidents: {
        ...s.incidents,
        [id]: { ...s.incidents[id]!, status: 'resolved', resolvedAt: T0 + SEC, rings: 1, escalation: held },
      },
      openByKey: {},
    };
    const r = dispatch(s, alert('a', { labels: { service: 'chat' } }), T0 + 60 * SEC, grouping);
    // Until its new ring nobody holds it: a desktop must not ring the old holder during the group wait.
    expect(r.state.incidents[id]?.escalation).toBeUndefined();
    expect(r.incidentId).toBe(id);
    expect(r.state.incidents[id]).toMatchObject({
      status: 'firing',
      pendingRing: { reason: 'reopened', dueAt: T0 + 90 * SEC },
    });
    expect(r.state.incidents[id]?.resolvedAt).toBeUndefined();
    expect(r.state.openByKey['{service="chat"}']).toBe(id);
  });

  it('treats alert ids like "__proto__" as plain ids and survives a JSON round trip', () => {
    let s = dispatch(
      emptyIncidentState(),
      alert('__proto__', { labels: { service: 'constructor' } }),
      T0,
      grouping,
    ).state;
    s = dispatch(s, alert('constructor', { labels: { service: 'constructor' } }), T0, grouping).state;
    const back = restoreIncidentState(JSON.stringify(s));
    expect(Object.keys(back.alerts).sort()).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(back.alerts)).toBe(Object.prototype);
    expect(Object.values(back.incidents)[0]?.alertIds).toEqual(['__proto__', 'constructor']);
  });
});

import { beforeEach, describe, expect, it } from 'vitest';
import type { AlarmState, Alert, Incident, IncidentDetail, OutboxItem } from '../../shared/protocol';
import {
  availableIncidentCommands,
  countIncidents,
  filterIncidents,
  inboxItems,
  incidentEscalationQueue,
  incidentKey,
  incidentsHoldingAlerts,
  memberKey,
  memberMark,
  memberMarkText,
  sortByUrgency,
  type MembersEntry,
} from '../../renderer/src/lib/incidents';
import { inFlightKinds, noticesFor, describeOutboxItem } from '../../renderer/src/lib/outbox';
import { timelineSubject } from '../../renderer/src/lib/timeline';
import { isIncidentRinging, ringingPage } from '../../renderer/src/lib/alarm';
import { useInboxStore, visibleItems, wantedIncidents } from '../../renderer/src/store/inbox';

const T0 = '2025-03-04T03:00:00Z';

function incident(id: string, over: Partial<Incident> = {}): Incident {
  return {
    id,
    key: `{service="${id}"}`,
    tier: 'page',
    status: 'firing',
    title: `${id} down`,
    alertIds: [],
    firedAt: T0,
    ...over,
  };
}

function alert(id: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    ruleId: id,
    tier: 'page',
    status: 'firing',
    source: 'rules',
    summary: id,
    labels: {},
    firedAt: T0,
    ...over,
  };
}

const ready = (alerts: Alert[]): MembersEntry => ({ state: 'ready', detail: { alerts } });

describe('incident inbox order', () => {
  it('puts firing before held before resolved, pages before tickets, then newest first, ties by id', () => {
    const list = [
      incident('old-page', { firedAt: '2025-03-04T01:00:00Z' }),
      incident('new-ticket', { tier: 'ticket', firedAt: '2025-03-04T05:00:00Z' }),
      incident('acked', { status: 'acknowledged', firedAt: '2025-03-04T06:00:00Z' }),
      incident('snoozed', { status: 'snoozed', tier: 'review' }),
      incident('done', { status: 'resolved', firedAt: '2025-03-04T07:00:00Z' }),
      incident('new-page', { firedAt: '2025-03-04T02:00:00Z' }),
      incident('b-tie', { firedAt: '2025-03-04T02:00:00Z' }),
    ];
    expect(sortByUrgency(list).map((i) => i.id)).toEqual([
      'b-tie',
      'new-page',
      'old-page',
      'new-ticket',
      'acked',
      'snoozed',
      'done',
    ]);
  });

  it('filters and counts open / resolved / all', () => {
    const list = [incident('a'), incident('b', { status: 'resolved' }), incident('c', { status: 'snoozed' })];
    expect(filterIncidents(list, 'open').map((i) => i.id)).toEqual(['a', 'c']);
    expect(filterIncidents(list, 'resolved').map((i) => i.id)).toEqual(['b']);
    expect(countIncidents(list)).toEqual({ open: 2, resolved: 1, all: 3 });
  });

  it('offers ack xor unack and only comments once resolved', () => {
    expect(availableIncidentCommands(incident('a')).has('ack')).toBe(true);
    const acked = availableIncidentCommands(incident('a', { status: 'acknowledged' }));
    expect([acked.has('ack'), acked.has('unack')]).toEqual([false, true]);
    expect([...availableIncidentCommands(incident('a', { status: 'resolved' }))]).toEqual(['comment']);
    expect(availableIncidentCommands(incident('a', { mitigatedAt: T0 })).has('mitigate')).toBe(false);
  });

  it('queues only firing pages with a next level, soonest deadline first', () => {
    const esc = (dueAt: string, nextTarget?: string) => ({
      level: 1,
      target: 'alice',
      dueAt,
      ...(nextTarget ? { nextTarget } : {}),
    });
    const list = [
      incident('late', { escalation: esc('2025-03-04T03:10:00Z', 'bob') }),
      incident('soon', { escalation: esc('2025-03-04T03:05:00Z', 'bob') }),
      incident('last-level', { escalation: esc('2025-03-04T03:01:00Z') }),
      incident('acked', { status: 'acknowledged', escalation: esc('2025-03-04T03:01:00Z', 'bob') }),
      incident('ticket', { tier: 'ticket', escalation: esc('2025-03-04T03:01:00Z', 'bob') }),
      incident('waiting'), // in its group wait: no escalation yet, so no countdown
    ];
    expect(incidentEscalationQueue(list).map((i) => i.id)).toEqual(['soon', 'late']);
  });
});

describe('members expand in place', () => {
  const provider = alert('pd', {
    ruleId: 'provider-down',
    labels: { provider: 'openai' },
    firedAt: '2025-03-04T02:59:00Z',
  });
  const errors = alert('er', { ruleId: 'error-rate', labels: { service: 'chat' }, inhibitedBy: 'pd' });
  const quiet = alert('q', { ruleId: 'latency-p95', silencedBy: 's1' });
  const gone = alert('g', { status: 'resolved', inhibitedBy: 'pd', firedAt: '2025-03-04T02:00:00Z' });
  const list = [incident('one', { alertIds: ['pd', 'er', 'q', 'g'] }), incident('two')];

  it('lists an expanded incident’s members beneath it, open first then oldest first', () => {
    const items = inboxItems(list, new Set(['one']), { one: ready([errors, gone, quiet, provider]) });
    expect(items.map((i) => i.key)).toEqual([
      incidentKey('one'),
      memberKey('one', 'pd'),
      memberKey('one', 'er'),
      memberKey('one', 'q'),
      memberKey('one', 'g'),
      incidentKey('two'),
    ]);
    const last = items[4];
    expect(last?.kind === 'member' && last.last).toBe(true);
  });

  it('shows a loading / error row until the members arrive, and keeps old members while refreshing', () => {
    expect(inboxItems(list, new Set(['two']), {}).map((i) => i.kind)).toEqual([
      'incident',
      'incident',
      'members-status',
    ]);
    const failed = inboxItems(list, new Set(['one']), { one: { state: 'error', detail: null, error: 'boom' } });
    expect(failed[1]).toMatchObject({ kind: 'members-status', text: 'Could not load the alerts: boom' });
    const refreshing = inboxItems(list, new Set(['one']), { one: { state: 'loading', detail: { alerts: [errors] } } });
    expect(refreshing.map((i) => i.kind)).toEqual(['incident', 'member', 'incident']);
  });

  it('names an inhibited member by its inhibiting sibling, marks a silenced one, and not a resolved one', () => {
    const siblings = [provider, errors, quiet, gone];
    const inhibited = memberMark(errors, siblings);
    expect(inhibited).toEqual({ kind: 'inhibited', by: 'provider-down', byAlertId: 'pd' });
    expect(inhibited && memberMarkText(inhibited)).toBe('inhibited by provider-down');
    // The inhibitor is not loaded: its id stands in for its name.
    expect(memberMark(errors, [errors])).toMatchObject({ by: 'pd' });
    expect(memberMark(quiet, siblings)).toEqual({ kind: 'silenced', silenceId: 's1' });
    expect(memberMark(gone, siblings)).toBeNull();
    expect(memberMark(provider, siblings)).toBeNull();
    // An Alertmanager alert's own alertname wins over the rule id.
    const am = alert('am', { ruleId: 'alertmanager', labels: { alertname: 'HighLatency' } });
    expect(memberMark(alert('x', { inhibitedBy: 'am' }), [am])).toMatchObject({ by: 'HighLatency' });
  });

  it('finds the incidents holding changed alerts (pushes name alerts)', () => {
    expect([...incidentsHoldingAlerts(list, ['q', 'nope'])]).toEqual(['one']);
  });

  it('names the member an entry of the merged timeline is about', () => {
    const members = [provider, errors];
    expect(timelineSubject({ seq: 1, at: T0, kind: 'fired', alertId: 'er' }, members)).toBe('error-rate · chat');
    expect(timelineSubject({ seq: 2, at: T0, kind: 'fired', alertId: 'pd' }, members)).toBe('provider-down · openai');
    expect(timelineSubject({ seq: 3, at: T0, kind: 'notified' }, members)).toBeNull();
    expect(timelineSubject({ seq: 4, at: T0, kind: 'fired', alertId: 'unknown' }, members)).toBe('unknown');
  });
});

describe('inbox store: cursor over incidents and expanded members', () => {
  const members = [alert('m1'), alert('m2', { firedAt: '2025-03-04T03:01:00Z' })];
  const detail = (id: string): IncidentDetail => ({
    incident: incident(id, { alertIds: members.map((m) => m.id) }),
    alerts: members,
    timeline: [],
  });

  beforeEach(() => {
    useInboxStore.setState({
      incidents: [],
      cursor: null,
      expanded: new Set(),
      details: {},
      open: null,
      view: 'open',
      alertDetail: null,
      alertState: 'idle',
    });
    useInboxStore
      .getState()
      .setIncidents([
        incident('b', { firedAt: '2025-03-04T01:00:00Z' }),
        incident('a', { firedAt: '2025-03-04T02:00:00Z' }),
      ]);
  });

  it('j/k walk into an expanded incident’s members and out again', () => {
    const s = useInboxStore.getState;
    s().moveCursor(1);
    expect(s().cursor).toBe(incidentKey('a'));
    s().setExpanded('a');
    expect(wantedIncidents(s())).toEqual(new Set(['a']));
    s().setIncidentDetail('a', detail('a'));
    expect(visibleItems(s()).map((i) => i.key)).toEqual([
      incidentKey('a'),
      memberKey('a', 'm1'),
      memberKey('a', 'm2'),
      incidentKey('b'),
    ]);
    s().moveCursor(1);
    s().moveCursor(1);
    expect(s().cursor).toBe(memberKey('a', 'm2'));
    // Collapsing under the cursor moves it onto the incident, never into thin air.
    s().setExpanded('a', false);
    expect(s().cursor).toBe(incidentKey('a'));
    s().moveCursor(1);
    expect(s().cursor).toBe(incidentKey('b'));
  });

  it('opening an incident or an alert switches the pane; a late alert answer for another alert is dropped', () => {
    const s = useInboxStore.getState;
    s().openIncident('b');
    expect(s().open).toEqual({ kind: 'incident', id: 'b' });
    expect(wantedIncidents(s())).toEqual(new Set(['b']));
    s().openAlert('m1');
    expect(s().alertState).toBe('loading');
    s().setAlertDetail('m2', { alert: alert('m2'), timeline: [] });
    expect(s().alertDetail).toBeNull();
    s().setAlertDetail('m1', { alert: alert('m1'), timeline: [] });
    expect(s().alertState).toBe('ready');
    s().close();
    expect(s().open).toBeNull();
  });

  it('a refresh keeps the previous detail while loading and after an error', () => {
    const s = useInboxStore.getState;
    s().setIncidentDetail('a', detail('a'));
    s().startIncidentLoad('a');
    expect(s().details.a).toMatchObject({ state: 'loading', detail: { alerts: members } });
    s().setIncidentError('a', 'down');
    expect(s().details.a).toMatchObject({ state: 'error', error: 'down', detail: { alerts: members } });
    s().setIncidentDetail('a', null);
    expect(s().details.a).toMatchObject({ state: 'missing', detail: null });
  });
});

describe('outbox items target an alert or an incident', () => {
  const item = (over: Partial<OutboxItem>): OutboxItem => ({
    id: 'c1',
    kind: 'ack',
    createdAt: T0,
    state: 'queued',
    ...over,
  });

  it('shows a pending incident command on the incident, not on alerts', () => {
    const items = [
      item({ id: '1', incidentId: 'i1' }),
      item({ id: '2', alertId: 'i1' }),
      item({ id: '3', kind: 'silence' }),
    ];
    expect(noticesFor(items, { incidentId: 'i1' }, true, new Set()).map((n) => n.id)).toEqual(['1']);
    expect(noticesFor(items, { alertId: 'i1' }, true, new Set()).map((n) => n.id)).toEqual(['2']);
    expect(inFlightKinds(items, { incidentId: 'i1' })).toEqual(new Set(['ack']));
    expect(inFlightKinds(items, { incidentId: 'other' }).size).toBe(0);
  });

  it('words conflicts on incidents and silence commands', () => {
    expect(describeOutboxItem(item({ incidentId: 'i1', state: 'conflict' }), true)?.text).toBe(
      'Ack not applied: the incident changed meanwhile',
    );
    expect(describeOutboxItem(item({ kind: 'silence' }), false)?.text).toBe(
      'Silence queued: will be sent when back online',
    );
  });
});

describe('the alarm rings per incident', () => {
  const alarm: AlarmState = {
    user: 'alice',
    ringing: [{ incidentId: 'i1', summary: 'openai down · 4 alerts', alertCount: 4, level: 1, target: 'alice' }],
    watching: [],
  };
  it('knows which incident rings', () => {
    expect(isIncidentRinging(alarm, 'i1')).toBe(true);
    expect(isIncidentRinging(alarm, 'i2')).toBe(false);
    expect(isIncidentRinging(null, 'i1')).toBe(false);
    expect(ringingPage(alarm, 'i1')?.summary).toBe('openai down · 4 alerts');
  });
});

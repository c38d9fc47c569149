import { describe, expect, it } from 'vitest';
import type { Incident } from '../../shared/protocol/incident.js';
import { AlarmState } from '../../shared/protocol/alarm.js';
import {
  AlarmService,
  alarmAction,
  MORE_PAGES_ID,
  MORE_TICKETS_ID,
  type AlarmSource,
} from '../../electron/main/services/alarm/index.js';
import {
  platformOptions,
  type DesktopNotification,
  type Notifier,
  type NotifyResult,
} from '../../electron/main/services/notifier/index.js';
import { ApiService } from '../../electron/main/services/api.js';

/** Timers on a fake clock: tests travel in time instead of sleeping. */
function fakeTime(start = 1_750_000_000_000) {
  let now = start;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 1;
  return {
    clock: { now: () => now },
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        const t = { at: now + ms, fn, id: nextId++ };
        timers.push(t);
        return t.id;
      },
      clearTimeout: (id: unknown) => void (timers = timers.filter((t) => t.id !== id)),
    },
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        // Let notifier promises settle (they may re-arm the timer) before looking at timers.
        await new Promise((r) => setImmediate(r));
        timers.sort((a, b) => a.at - b.at);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = t.at;
        t.fn();
      }
      now = end;
    },
  };
}

class RecordingNotifier implements Notifier {
  sent: DesktopNotification[] = [];
  withdrawn: { id: string; title: string; body: string }[] = [];
  withdraw(id: string, text: { title: string; body: string }): void {
    this.withdrawn.push({ id, ...text });
  }
  results: NotifyResult[] = [];
  private ack: ((id: string) => void) | undefined;
  notify(n: DesktopNotification): Promise<NotifyResult> {
    this.sent.push(n);
    return Promise.resolve(this.results.shift() ?? { ok: true });
  }
  onAcknowledge(l: (id: string) => void) {
    this.ack = l;
    return () => (this.ack = undefined);
  }
  press(id: string) {
    this.ack?.(id);
  }
}

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'i1',
    key: '{service="chat"}',
    tier: 'page',
    status: 'firing',
    title: 'chat down',
    alertIds: ['a1'],
    firedAt: '2025-06-15T10:00:00.000Z',
    escalation: { level: 1, target: 'alice', dueAt: '2025-06-15T10:30:00.000Z', nextTarget: 'bob' },
    ...over,
  };
}

function harness(user: string, initial: Incident[]) {
  const incidents = new Map(initial.map((i) => [i.id, i]));
  /** Member alerts that resolved (the rest of each incident's alertIds are open). */
  const resolvedMembers = new Set<string>();
  const listeners = new Set<(ids: string[]) => void>();
  const source: AlarmSource = {
    listIncidents: () => [...incidents.values()],
    getIncident: (id) => incidents.get(id),
    openAlertCount: (i) => i.alertIds.filter((a) => !resolvedMembers.has(a)).length,
    onIncidentsChanged: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
  const time = fakeTime();
  const notifier = new RecordingNotifier();
  const acks: string[] = [];
  const alarm = new AlarmService({
    user,
    source,
    notifier,
    acknowledge: (id) => acks.push(id),
    clock: time.clock,
    timers: time.timers,
    repeatEveryMs: 30_000,
  });
  const change = (i: Incident) => {
    incidents.set(i.id, i);
    for (const l of listeners) l([i.id]);
  };
  /** Many incidents in one cache change (a snapshot). */
  const changeMany = (list: Incident[]) => {
    for (const i of list) incidents.set(i.id, i);
    for (const l of listeners) l(list.map((i) => i.id));
  };
  /** A member alert resolved: the incident is told (as app-services maps member changes). */
  const resolveMember = (incidentId: string, alertId: string) => {
    resolvedMembers.add(alertId);
    for (const l of listeners) l([incidentId]);
  };
  return { alarm, notifier, time, acks, change, changeMany, resolveMember };
}

describe('alarm policy (per incident)', () => {
  it('rings paging incidents held by this user, watches others, one quiet note per ticket incident, nothing for reviews', () => {
    expect(alarmAction(incident(), 'alice')).toBe('ring');
    expect(alarmAction(incident(), 'bob')).toBe('watch');
    expect(alarmAction(incident({ status: 'acknowledged' }), 'alice')).toBe('none');
    expect(alarmAction(incident({ tier: 'ticket', escalation: undefined }), 'alice')).toBe('notify-once');
    expect(alarmAction(incident({ tier: 'review' }), 'alice')).toBe('none');
  });
  it('does not ring an incident inside its group wait (no escalation yet) or a silenced one', () => {
    expect(alarmAction(incident({ escalation: undefined }), 'alice')).toBe('none');
    expect(alarmAction(incident({ silenced: true }), 'alice')).toBe('none');
    expect(alarmAction(incident({ silenced: true }), 'bob')).toBe('none');
    expect(alarmAction(incident({ tier: 'ticket', escalation: undefined, silenced: true }), 'alice')).toBe('none');
  });
  it('asks each platform for its loudest option', () => {
    const n = { id: 'a', title: 't', body: 'b', loud: true, acknowledgeAction: true };
    expect(platformOptions('linux', n)).toMatchObject({ urgency: 'critical', timeout: 0 });
    expect(platformOptions('linux', { ...n, loud: false })).toMatchObject({ urgency: 'normal' });
    expect(platformOptions('darwin', n)).toMatchObject({ sound: 'Sosumi', wait: true, actions: ['Acknowledge'] });
    expect(platformOptions('win32', n)).toMatchObject({ sound: true, actions: ['Acknowledge'] });
  });
});

describe('alarm service (one alarm per incident)', () => {
  it('rings at once, repeats until acknowledged, stops after', async () => {
    const h = harness('alice', []);
    h.alarm.start();
    h.change(incident());
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.notifier.sent[0]).toMatchObject({ id: 'i1', loud: true, title: 'chat down', acknowledgeAction: true });
    expect(h.alarm.state().ringing.map((p) => p.incidentId)).toEqual(['i1']);
    await h.time.advance(90_000);
    expect(h.notifier.sent).toHaveLength(4);
    expect(h.notifier.withdrawn).toEqual([]);
    h.change(incident({ status: 'acknowledged', acknowledgedBy: 'alice' }));
    await h.time.advance(300_000);
    expect(h.notifier.sent).toHaveLength(4);
    expect(h.alarm.state().ringing).toEqual([]);
    // Its notification is taken down, saying why; once.
    expect(h.notifier.withdrawn).toEqual([{ id: 'i1', title: 'Acknowledged by you', body: 'chat down' }]);
    h.alarm.dispose();
  });

  it('one notification per incident per ring, with a stable id and "title · N alerts"', async () => {
    const h = harness('alice', []);
    h.alarm.start();
    // The demo's outage: four alerts, one incident.
    h.change(incident({ id: 'openai', title: 'openai down', alertIds: ['pd', 'err', 'p95a', 'p95b'] }));
    expect(h.notifier.sent).toEqual([
      expect.objectContaining({ id: 'openai', title: 'openai down · 4 alerts', loud: true }),
    ]);
    expect(h.alarm.state().ringing).toEqual([
      expect.objectContaining({ incidentId: 'openai', summary: 'openai down · 4 alerts', alertCount: 4 }),
    ]);
    await h.time.advance(60_000);
    // Two more rings, each replacing the same notification (same id), never one per alert.
    expect(h.notifier.sent.map((n) => n.id)).toEqual(['openai', 'openai', 'openai']);
    // A member resolved: the next ring says 3; with one left the count is omitted.
    h.resolveMember('openai', 'p95b');
    await h.time.advance(30_000);
    expect(h.notifier.sent.at(-1)?.title).toBe('openai down · 3 alerts');
    h.resolveMember('openai', 'p95a');
    h.resolveMember('openai', 'err');
    await h.time.advance(30_000);
    expect(h.notifier.sent.at(-1)?.title).toBe('openai down');
    h.alarm.dispose();
  });

  it('a member joining a ringing incident rings no extra time; the next ring carries the new text', async () => {
    const h = harness('alice', []);
    h.alarm.start();
    h.change(incident({ alertIds: ['a1'] }));
    expect(h.notifier.sent).toHaveLength(1);
    await h.time.advance(10_000);
    h.change(incident({ alertIds: ['a1', 'a2'] }));
    h.change(incident({ alertIds: ['a1', 'a2', 'a3'] }));
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.alarm.state().ringing[0]).toMatchObject({ alertCount: 3, summary: 'chat down · 3 alerts' });
    // The repeat keeps its schedule (30 s after the first ring, not after the join).
    await h.time.advance(19_000);
    expect(h.notifier.sent).toHaveLength(1);
    await h.time.advance(1_000);
    expect(h.notifier.sent).toHaveLength(2);
    expect(h.notifier.sent[1]).toMatchObject({ id: 'i1', title: 'chat down · 3 alerts' });
    h.alarm.dispose();
  });

  it('an incident inside its group wait does not ring; it rings once the collector gives it an escalation', async () => {
    const h = harness('alice', []);
    h.alarm.start();
    h.change(incident({ escalation: undefined, alertIds: ['a1'] }));
    h.change(incident({ escalation: undefined, alertIds: ['a1', 'a2', 'a3'] }));
    await h.time.advance(60_000);
    expect(h.notifier.sent).toEqual([]);
    expect(h.alarm.state()).toMatchObject({ ringing: [], watching: [] });
    h.change(incident({ alertIds: ['a1', 'a2', 'a3'] }));
    expect(h.notifier.sent).toEqual([expect.objectContaining({ id: 'i1', title: 'chat down · 3 alerts' })]);
    h.alarm.dispose();
  });

  it('never rings a silenced incident, and stops ringing one that becomes silenced', async () => {
    const h = harness('alice', [incident({ id: 'quiet', silenced: true })]);
    h.alarm.start();
    expect(h.notifier.sent).toEqual([]);
    h.change(incident({ id: 'loud' }));
    expect(h.notifier.sent.map((n) => n.id)).toEqual(['loud']);
    h.change(incident({ id: 'loud', silenced: true }));
    await h.time.advance(120_000);
    expect(h.notifier.sent.map((n) => n.id)).toEqual(['loud']);
    expect(h.notifier.withdrawn).toEqual([{ id: 'loud', title: 'Silenced', body: 'chat down' }]);
    // A silenced ticket incident gets no note either.
    h.change(incident({ id: 't', tier: 'ticket', escalation: undefined, silenced: true }));
    expect(h.notifier.sent).toHaveLength(1);
    h.alarm.dispose();
  });

  it('takes an incident down with the reason when someone else acknowledges it, it resolves, or it moves on', () => {
    const h = harness('alice', []);
    h.alarm.start();
    h.change(incident({ id: 'i1' }));
    h.change(incident({ id: 'i2' }));
    h.change(incident({ id: 'i3' }));
    h.change(incident({ id: 'i1', status: 'acknowledged', acknowledgedBy: 'bob' }));
    h.change(incident({ id: 'i2', status: 'resolved' }));
    h.change(incident({ id: 'i3', escalation: { level: 2, target: 'carol', dueAt: '2025-06-15T11:00:00.000Z' } }));
    expect(h.notifier.withdrawn.map(({ id, title }) => [id, title])).toEqual([
      ['i1', 'Acknowledged by bob'],
      ['i2', 'Resolved'],
      ['i3', 'No longer paging you'],
    ]);
    // An incident that never rang here is not withdrawn.
    h.change(incident({ id: 'j1', escalation: { level: 1, target: 'dave', dueAt: '2025-06-15T10:30:00.000Z' } }));
    h.change(incident({ id: 'j1', status: 'resolved' }));
    expect(h.notifier.withdrawn).toHaveLength(3);
    h.alarm.dispose();
  });

  it('shows an incident for someone else without ringing, and rings once it escalates here', () => {
    const h = harness('bob', [incident()]);
    h.alarm.start();
    expect(h.notifier.sent).toHaveLength(0);
    expect(h.alarm.state().watching.map((p) => p.incidentId)).toEqual(['i1']);
    h.change(incident({ escalation: { level: 2, target: 'bob', dueAt: '2025-06-15T10:30:00.000Z' } }));
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.alarm.state()).toMatchObject({ ringing: [{ incidentId: 'i1', level: 2 }], watching: [] });
    h.alarm.dispose();
  });

  it('rings an incident already open at start (the laptop woke up), but not old ticket incidents', () => {
    const h = harness('alice', [incident(), incident({ id: 't1', tier: 'ticket', escalation: undefined })]);
    h.alarm.start();
    expect(h.notifier.sent.map((n) => n.id)).toEqual(['i1']);
    h.change(incident({ id: 't2', tier: 'ticket', escalation: undefined }));
    h.change(incident({ id: 't2', tier: 'ticket', escalation: undefined, alertIds: ['x', 'y'] }));
    expect(h.notifier.sent.filter((n) => n.id === 't2')).toEqual([expect.objectContaining({ loud: false })]);
    h.alarm.dispose();
  });

  it('a ticket incident promoted to a page rings (tier promotion)', () => {
    const h = harness('alice', []);
    h.alarm.start();
    h.change(incident({ tier: 'ticket', escalation: undefined }));
    expect(h.notifier.sent).toEqual([expect.objectContaining({ id: 'i1', loud: false })]);
    h.change(incident({ tier: 'page', alertIds: ['a1', 'a2'] }));
    expect(h.notifier.sent.at(-1)).toMatchObject({ id: 'i1', loud: true, title: 'chat down · 2 alerts' });
    h.alarm.dispose();
  });

  it('bounds a storm: 5 incidents ring one by one, the rest share one summary; a ticket burst is one note', async () => {
    const pages = Array.from({ length: 2_000 }, (_, i) => incident({ id: `p${i}`, title: `page ${i}` }));
    const h = harness('alice', []);
    h.alarm.start();
    h.changeMany(pages);
    expect(h.notifier.sent.map((n) => n.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', MORE_PAGES_ID]);
    expect(h.notifier.sent[5]).toMatchObject({ title: '1995 more incidents paging you', loud: true });
    expect(h.alarm.state().ringing).toHaveLength(2_000);
    // Each ring round repeats the same bounded set.
    await h.time.advance(30_000);
    expect(h.notifier.sent).toHaveLength(12);
    // Once few enough remain, the summary is taken down and the rest ring on their own.
    h.changeMany(
      pages.slice(0, 1_996).map((p) => ({ ...p, status: 'acknowledged' as const, acknowledgedBy: 'alice' })),
    );
    expect(h.notifier.withdrawn.filter((w) => w.id === MORE_PAGES_ID)).toHaveLength(1);
    const before = h.notifier.sent.length;
    await h.time.advance(30_000);
    expect(h.notifier.sent.slice(before).map((n) => n.id)).toEqual(['p1996', 'p1997', 'p1998', 'p1999']);

    const tickets = Array.from({ length: 2_000 }, (_, i) =>
      incident({ id: `t${i}`, tier: 'ticket', escalation: undefined, title: `ticket ${i}` }),
    );
    const sent = h.notifier.sent.length;
    h.changeMany(tickets);
    expect(h.notifier.sent.slice(sent)).toEqual([
      expect.objectContaining({ id: MORE_TICKETS_ID, title: '2000 new tickets', loud: false }),
    ]);
    // A small burst still names each ticket incident.
    const few = h.notifier.sent.length;
    h.changeMany([0, 1].map((i) => incident({ id: `u${i}`, tier: 'ticket', escalation: undefined })));
    expect(h.notifier.sent.slice(few).map((n) => n.id)).toEqual(['u0', 'u1']);
    h.alarm.dispose();
  });

  it('retries a retryable failure soon; Acknowledge on the notification acks that incident and ends the ring', async () => {
    const h = harness('alice', []);
    h.notifier.results.push({ ok: false, retry: true, error: 'daemon restarting' });
    h.alarm.start();
    h.change(incident({ alertIds: ['a1', 'a2'] }));
    await h.time.advance(1_500);
    expect(h.notifier.sent).toHaveLength(2);
    h.notifier.press('i1');
    h.notifier.press('unknown');
    // The ack goes out for the incident (the app sends incidents.command ack through the outbox).
    expect(h.acks).toEqual(['i1']);
    h.change(incident({ alertIds: ['a1', 'a2'], status: 'acknowledged', acknowledgedBy: 'alice' }));
    const rings = h.notifier.sent.length;
    await h.time.advance(120_000);
    expect(h.notifier.sent).toHaveLength(rings);
    h.alarm.dispose();
  });

  it('is exposed through the Api: alarm.get and alarm-changed pushes, validated', async () => {
    const h = harness('alice', []);
    const noop = () => () => {};
    const api = new ApiService({
      cache: {} as never,
      sync: {
        status: () => ({}) as never,
        onStatus: noop,
        onAlertsChanged: noop,
        onIncidentsChanged: noop,
        onSilencesChanged: noop,
        refreshStatus: () => {},
      },
      outbox: { onChanged: noop } as never,
      alarm: h.alarm,
    });
    const pushes: unknown[] = [];
    api.onPush((p) => pushes.push(p));
    h.alarm.start();
    h.change(incident());
    const reply = await api.handle({ method: 'alarm.get', params: {} });
    expect(reply.ok && AlarmState.parse(reply.result).ringing[0]?.incidentId).toBe('i1');
    expect(pushes).toContainEqual(expect.objectContaining({ type: 'alarm-changed' }));
    expect(await api.handle({ method: 'alarm.get', params: { extra: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field' },
    });
    api.dispose();
    h.alarm.dispose();
  });
});

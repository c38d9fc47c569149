import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/protocol/alert.js';
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
  withdrawn: { alertId: string; title: string; body: string }[] = [];
  withdraw(alertId: string, text: { title: string; body: string }): void {
    this.withdrawn.push({ alertId, ...text });
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

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    ruleId: 'error-rate',
    tier: 'page',
    status: 'firing',
    source: 'rules',
    summary: 'Error rate 30% on chat',
    labels: { service: 'chat' },
    firedAt: '2025-06-15T10:00:00.000Z',
    escalation: { level: 1, target: 'alice', dueAt: '2025-06-15T10:30:00.000Z', nextTarget: 'bob' },
    ...over,
  };
}

function harness(user: string, initial: Alert[]) {
  const alerts = new Map(initial.map((a) => [a.id, a]));
  const listeners = new Set<(ids: string[]) => void>();
  const source: AlarmSource = {
    listAlerts: () => [...alerts.values()],
    getAlert: (id) => alerts.get(id),
    onAlertsChanged: (l) => (listeners.add(l), () => listeners.delete(l)),
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
  const change = (a: Alert) => {
    alerts.set(a.id, a);
    for (const l of listeners) l([a.id]);
  };
  /** Many alerts in one cache change (a snapshot, a webhook with many alerts). */
  const changeMany = (list: Alert[]) => {
    for (const a of list) alerts.set(a.id, a);
    for (const l of listeners) l(list.map((a) => a.id));
  };
  return { alarm, notifier, time, acks, change, changeMany };
}

describe('alarm policy', () => {
  it('rings pages held by this user, watches others, one quiet note per ticket, nothing for reviews', () => {
    expect(alarmAction(alert(), 'alice')).toBe('ring');
    expect(alarmAction(alert(), 'bob')).toBe('watch');
    expect(alarmAction(alert({ status: 'acknowledged' }), 'alice')).toBe('none');
    expect(alarmAction(alert({ tier: 'ticket', escalation: undefined }), 'alice')).toBe('notify-once');
    expect(alarmAction(alert({ tier: 'review' }), 'alice')).toBe('none');
  });
  it('asks each platform for its loudest option', () => {
    const n = { alertId: 'a', title: 't', body: 'b', loud: true, acknowledgeAction: true };
    expect(platformOptions('linux', n)).toMatchObject({ urgency: 'critical', timeout: 0 });
    expect(platformOptions('linux', { ...n, loud: false })).toMatchObject({ urgency: 'normal' });
    expect(platformOptions('darwin', n)).toMatchObject({ sound: 'Sosumi', wait: true, actions: ['Acknowledge'] });
    expect(platformOptions('win32', n)).toMatchObject({ sound: true, actions: ['Acknowledge'] });
  });
});

describe('alarm service', () => {
  it('rings at once, repeats until acknowledged, stops after', async () => {
    const h = harness('alice', []);
    h.alarm.start();
    h.change(alert());
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.notifier.sent[0]).toMatchObject({ loud: true, title: 'Error rate 30% on chat', acknowledgeAction: true });
    expect(h.alarm.state().ringing.map((p) => p.alertId)).toEqual(['a1']);
    await h.time.advance(90_000);
    expect(h.notifier.sent).toHaveLength(4);
    expect(h.notifier.withdrawn).toEqual([]);
    h.change(alert({ status: 'acknowledged', acknowledgedBy: 'alice' }));
    await h.time.advance(300_000);
    expect(h.notifier.sent).toHaveLength(4);
    expect(h.alarm.state().ringing).toEqual([]);
    // Its notification is taken down, saying why; once.
    expect(h.notifier.withdrawn).toEqual([
      { alertId: 'a1', title: 'Acknowledged by you', body: 'Error rate 30% on chat' },
    ]);
    h.alarm.dispose();
  });

  it('takes a page down with the reason when someone else acknowledges it, it resolves, or it moves on', () => {
    const h = harness('alice', []);
    h.alarm.start();
    h.change(alert({ id: 'a1' }));
    h.change(alert({ id: 'a2' }));
    h.change(alert({ id: 'a3' }));
    h.change(alert({ id: 'a1', status: 'acknowledged', acknowledgedBy: 'bob' }));
    h.change(alert({ id: 'a2', status: 'resolved' }));
    h.change(alert({ id: 'a3', escalation: { level: 2, target: 'carol', dueAt: '2025-06-15T11:00:00.000Z' } }));
    expect(h.notifier.withdrawn.map(({ alertId, title }) => [alertId, title])).toEqual([
      ['a1', 'Acknowledged by bob'],
      ['a2', 'Resolved'],
      ['a3', 'No longer paging you'],
    ]);
    // A page that never rang here is not withdrawn.
    h.change(alert({ id: 'b1', escalation: { level: 1, target: 'dave', dueAt: '2025-06-15T10:30:00.000Z' } }));
    h.change(alert({ id: 'b1', status: 'resolved' }));
    expect(h.notifier.withdrawn).toHaveLength(3);
    h.alarm.dispose();
  });

  it('shows a page for someone else without ringing, and rings once it escalates here', async () => {
    const h = harness('bob', [alert()]);
    h.alarm.start();
    expect(h.notifier.sent).toHaveLength(0);
    expect(h.alarm.state().watching.map((p) => p.alertId)).toEqual(['a1']);
    h.change(alert({ escalation: { level: 2, target: 'bob', dueAt: '2025-06-15T10:30:00.000Z' } }));
    expect(h.notifier.sent).toHaveLength(1);
    expect(h.alarm.state()).toMatchObject({ ringing: [{ alertId: 'a1', level: 2 }], watching: [] });
    h.alarm.dispose();
  });

  it('rings a page already open at start (the laptop woke up), but not old tickets', () => {
    const h = harness('alice', [alert(), alert({ id: 't1', tier: 'ticket', escalation: undefined })]);
    h.alarm.start();
    expect(h.notifier.sent.map((n) => n.alertId)).toEqual(['a1']);
    h.change(alert({ id: 't2', tier: 'ticket', escalation: undefined }));
    h.change(alert({ id: 't2', tier: 'ticket', escalation: undefined, summary: 'again' }));
    expect(h.notifier.sent.filter((n) => n.alertId === 't2')).toEqual([expect.objectContaining({ loud: false })]);
    h.alarm.dispose();
  });

  it('bounds a storm: 5 pages ring one by one, the rest share one summary; a ticket burst is one note', async () => {
    const pages = Array.from({ length: 2_000 }, (_, i) => alert({ id: `p${i}`, summary: `page ${i}` }));
    const h = harness('alice', []);
    h.alarm.start();
    h.changeMany(pages);
    expect(h.notifier.sent.map((n) => n.alertId)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', MORE_PAGES_ID]);
    expect(h.notifier.sent[5]).toMatchObject({ title: '1995 more pages for you', loud: true });
    expect(h.alarm.state().ringing).toHaveLength(2_000);
    // Each ring round repeats the same bounded set.
    await h.time.advance(30_000);
    expect(h.notifier.sent).toHaveLength(12);
    // Once few enough remain, the summary is taken down and the rest ring on their own.
    h.changeMany(
      pages.slice(0, 1_996).map((p) => ({ ...p, status: 'acknowledged' as const, acknowledgedBy: 'alice' })),
    );
    expect(h.notifier.withdrawn.filter((w) => w.alertId === MORE_PAGES_ID)).toHaveLength(1);
    const before = h.notifier.sent.length;
    await h.time.advance(30_000);
    expect(h.notifier.sent.slice(before).map((n) => n.alertId)).toEqual(['p1996', 'p1997', 'p1998', 'p1999']);

    const tickets = Array.from({ length: 2_000 }, (_, i) =>
      alert({ id: `t${i}`, tier: 'ticket', escalation: undefined, summary: `ticket ${i}` }),
    );
    const sent = h.notifier.sent.length;
    h.changeMany(tickets);
    expect(h.notifier.sent.slice(sent)).toEqual([
      expect.objectContaining({ alertId: MORE_TICKETS_ID, title: '2000 new tickets', loud: false }),
    ]);
    // A small burst still names each ticket.
    const few = h.notifier.sent.length;
    h.changeMany([0, 1].map((i) => alert({ id: `u${i}`, tier: 'ticket', escalation: undefined })));
    expect(h.notifier.sent.slice(few).map((n) => n.alertId)).toEqual(['u0', 'u1']);
    h.alarm.dispose();
  });

  it('retries a retryable failure soon, and acknowledges from the notification action', async () => {
    const h = harness('alice', []);
    h.notifier.results.push({ ok: false, retry: true, error: 'daemon restarting' });
    h.alarm.start();
    h.change(alert());
    await h.time.advance(1_500);
    expect(h.notifier.sent).toHaveLength(2);
    h.notifier.press('a1');
    h.notifier.press('unknown');
    expect(h.acks).toEqual(['a1']);
    h.alarm.dispose();
  });

  it('is exposed through the Api: alarm.get and alarm-changed pushes, validated', async () => {
    const h = harness('alice', []);
    const noop = () => () => {};
    const api = new ApiService({
      cache: {} as never,
      sync: { status: () => ({}) as never, onStatus: noop, onAlertsChanged: noop, refreshStatus: () => {} },
      outbox: { onChanged: noop } as never,
      alarm: h.alarm,
    });
    const pushes: unknown[] = [];
    api.onPush((p) => pushes.push(p));
    h.alarm.start();
    h.change(alert());
    const reply = await api.handle({ method: 'alarm.get', params: {} });
    expect(reply.ok && AlarmState.parse(reply.result).ringing[0]?.alertId).toBe('a1');
    expect(pushes).toContainEqual(expect.objectContaining({ type: 'alarm-changed' }));
    expect(await api.handle({ method: 'alarm.get', params: { extra: 1 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_field' },
    });
    api.dispose();
    h.alarm.dispose();
  });
});

import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  plannedNotices,
  ShiftNotice,
  shiftNoticeLeadFromEnv,
} from '../../electron/main/services/rotation/shift-notice.js';
import type { DesktopNotification, Notifier, NotifyResult } from '../../electron/main/services/notifier/index.js';
import type { CachedRotation } from '../../shared/protocol/rotation.js';
import type { Incident } from '../../shared/protocol/incident.js';
import { RotationConfig } from '../../shared/rotation/index.js';

const MIN = 60_000;
const BERLIN = 'Europe/Berlin';
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toMillis();

/** alice primary from Mon 2026-03-30 10:00 Berlin (the first week after the DST change). */
const cached: CachedRotation = {
  view: {
    rotation: RotationConfig.parse({
      timeZone: BERLIN,
      handoff: { day: 'monday', time: '10:00' },
      start: '2026-03-30',
      roster: ['alice', 'bob', 'carol'],
    }),
    overrides: [],
    shifts: [],
    generatedAt: '2026-03-29T00:00:00.000Z',
  },
  syncedAt: '2026-03-29T00:00:00.000Z',
};

function fakeTime(start: number) {
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
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
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
  sent: Array<DesktopNotification & { at: number }> = [];
  constructor(private readonly now: () => number) {}
  notify(n: DesktopNotification): Promise<NotifyResult> {
    this.sent.push({ ...n, at: this.now() });
    return Promise.resolve({ ok: true });
  }
  onAcknowledge() {
    return () => {};
  }
}

const open = [{ title: 'checkout error rate above 5%' }, { title: 'p95 latency' }] as Incident[];

describe('shift notices (fake clock)', () => {
  it('30 min before, at the handoff and at the end, naming what is open; 10:00 local across DST', () => {
    const t = fakeTime(berlin('2026-03-29T12:00')); // Sunday, the day of the change
    const notifier = new RecordingNotifier(t.clock.now);
    const notice = new ShiftNotice({
      user: 'alice',
      rotation: { get: () => cached, onChanged: () => () => {} },
      openIncidents: () => open,
      notifier,
      clock: t.clock,
      timers: t.timers,
    });
    notice.start();
    t.advance(8 * 24 * 60 * MIN);
    notice.dispose();
    expect(
      notifier.sent.map((n) => [DateTime.fromMillis(n.at, { zone: BERLIN }).toFormat('ccc d HH:mm'), n.title]),
    ).toEqual([
      ['Mon 30 09:30', 'Your primary shift starts at Mon 10:00'],
      ['Mon 30 10:00', 'You are primary now, until Mon 10:00'],
      ['Mon 6 10:00', 'Your primary shift ended'],
    ]);
    for (const n of notifier.sent) {
      expect(n.body).toBe('Still open (2): checkout error rate above 5%; p95 latency');
      expect(n.loud).toBe(false);
    }
  });

  it('takes the lead from config, gives nothing twice, and follows a rotation change', () => {
    const t = fakeTime(berlin('2026-03-30T08:00'));
    const notifier = new RecordingNotifier(t.clock.now);
    let current: CachedRotation | null = null;
    let changed: (() => void) | undefined;
    const notice = new ShiftNotice({
      user: 'alice',
      rotation: { get: () => current, onChanged: (l) => ((changed = () => l('x')), () => {}) },
      openIncidents: () => [],
      notifier,
      leadMs: 10 * MIN,
      clock: t.clock,
      timers: t.timers,
    });
    notice.start();
    t.advance(30 * MIN);
    expect(notifier.sent).toEqual([]); // nothing cached yet
    current = cached;
    changed?.();
    changed?.();
    t.advance(2 * 60 * MIN);
    expect(notifier.sent.map((n) => [DateTime.fromMillis(n.at, { zone: BERLIN }).toFormat('HH:mm'), n.body])).toEqual([
      ['09:50', 'Nothing is open.'],
      ['10:00', 'Nothing is open.'],
    ]);
    notice.dispose();
  });

  it('plans nothing for someone without shifts, and reads the lead from VIGIL_SHIFT_NOTICE_MINUTES', () => {
    expect(plannedNotices(cached, 'zoe', berlin('2026-03-29T00:00'), berlin('2026-05-01T00:00'), 30 * MIN)).toEqual([]);
    expect(shiftNoticeLeadFromEnv(undefined)).toBeUndefined();
    expect(shiftNoticeLeadFromEnv('45')).toBe(45 * MIN);
    expect(() => shiftNoticeLeadFromEnv('abc')).toThrow(/VIGIL_SHIFT_NOTICE_MINUTES/);
    expect(() => shiftNoticeLeadFromEnv('99999')).toThrow(/VIGIL_SHIFT_NOTICE_MINUTES/);
  });
});

describe('the demo rotation', () => {
  it('makes the desktop user primary this week (alex secondary, kim the escalation contact), in their zone', async () => {
    const { demoConfigYaml } = await import('../../electron/main/demo-rotation.js');
    const { parse } = await import('yaml');
    const now = berlin('2026-03-29T12:00'); // a Sunday: the current shift began Mon 23 Mar 10:00
    const raw = parse(demoConfigYaml('dana', now, BERLIN)) as { rotation: unknown };
    const r = RotationConfig.parse(raw.rotation);
    // Issue 16: the person at the keyboard is paged by the demo outage at once (issue 14 had them secondary).
    expect(r).toMatchObject({
      timeZone: BERLIN,
      start: '2026-03-23',
      roster: ['dana', 'alex', 'sam'],
      escalationContact: 'kim',
    });
    const { whoIsOnCall } = await import('../../shared/rotation/index.js');
    expect(whoIsOnCall(r, now)).toEqual({ primary: 'dana', secondary: 'alex' });
    expect(whoIsOnCall(r, berlin('2026-03-30T10:00')).primary).toBe('alex');
    // Monday before the handoff: still last week's shift. A user called alex takes alex's place.
    expect(
      RotationConfig.parse(
        (parse(demoConfigYaml('alex', berlin('2026-03-30T09:00'), 'Nowhere/Zone')) as { rotation: unknown }).rotation,
      ),
    ).toMatchObject({
      timeZone: 'UTC',
      start: '2026-03-23',
      roster: ['alex', 'sam', 'kim'],
      escalationContact: 'robin',
    });
    // A name YAML would misread is quoted.
    const odd = parse(demoConfigYaml('no: [x]', now, BERLIN)) as { rotation: { roster: string[] } };
    expect(odd.rotation.roster[0]).toBe('no: [x]');
  });
});

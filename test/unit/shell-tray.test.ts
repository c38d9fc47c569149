import { describe, expect, it, vi } from 'vitest';
import type { AlarmPage, AlarmState } from '../../shared/protocol/alarm.js';
import { MINUTE_MS } from '../../shared/clock.js';
import {
  ACK_LABEL_MAX,
  closeKeepsInTray,
  formatCountdown,
  PAUSE_CHOICES_MIN,
  trayView,
  type TrayInput,
  type TrayMenuItem,
} from '../../electron/main/tray-state.js';
import { trayIconPath, trayMenuTemplate } from '../../electron/main/tray.js';
import { TRAY_TICK_MS, TrayPresenter } from '../../electron/main/tray-presenter.js';
import { MAX_PAUSE_MS, NotificationPause, pausableNotifier } from '../../electron/main/notification-pause.js';
import type { DesktopNotification, Notifier } from '../../electron/main/services/notifier/notifier.js';

const NOW = Date.parse('2026-03-04T03:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const hhmm = (ms: number) => iso(ms).slice(11, 16);

function page(id: string, summary = `${id} down`): AlarmPage {
  return { incidentId: id, summary, alertCount: 1, level: 1, target: 'ana' };
}
function alarm(ringing: AlarmPage[], nextDueAt?: number, watching: AlarmPage[] = []): AlarmState {
  return { user: 'ana', ringing, watching, ...(nextDueAt !== undefined ? { nextDueAt: iso(nextDueAt) } : {}) };
}
const input = (over: Partial<TrayInput>): TrayInput => ({
  alarm: null,
  openPages: 0,
  nowMs: NOW,
  serverOffsetMs: 0,
  ...over,
});
const item = (menu: TrayMenuItem[], id: string) => menu.find((m) => m.type !== 'separator' && m.id === id);

describe('tray state machine', () => {
  it('all clear: green icon, no title, ack disabled', () => {
    const v = trayView(input({ alarm: alarm([]) }), hhmm);
    expect(v.icon).toBe('clear');
    expect(v.tooltip).toBe('Vigil: all clear');
    expect(v.title).toBe('');
    expect(v.countdownMs).toBeUndefined();
    expect(item(v.menu, 'ack')).toMatchObject({ enabled: false });
    expect(item(v.menu, 'open')).toMatchObject({ enabled: true, action: { kind: 'open' } });
    expect(item(v.menu, 'quit')).toMatchObject({ enabled: true, action: { kind: 'quit' } });
  });

  it('open pages (someone else holds them): amber icon and the count', () => {
    const v = trayView(input({ alarm: alarm([], undefined, [page('i1')]), openPages: 2 }), hhmm);
    expect(v.icon).toBe('open');
    expect(v.tooltip).toBe('Vigil: 2 open pages');
    expect(trayView(input({ openPages: 1 }), hhmm).tooltip).toBe('Vigil: 1 open page');
  });

  it('ringing: red icon, nearest escalation countdown in tooltip and title, corrected by the server offset', () => {
    const due = NOW + 4 * MINUTE_MS + 5_000;
    const v = trayView(input({ alarm: alarm([page('i1'), page('i2')], due), openPages: 2 }), hhmm);
    expect(v.icon).toBe('ringing');
    expect(v.countdownMs).toBe(245_000);
    expect(v.tooltip).toBe('Vigil: 2 incidents paging you · escalates in 4m 05s');
    expect(v.title).toBe('4m 05s');
    // The collector's clock runs 60 s ahead of ours: one minute less to go.
    const skewed = trayView(input({ alarm: alarm([page('i1')], due), serverOffsetMs: 60_000 }), hhmm);
    expect(skewed.title).toBe('3m 05s');
    // Ringing without a deadline (last level): no countdown, a "!".
    const last = trayView(input({ alarm: alarm([page('i1')]) }), hhmm);
    expect(last.title).toBe('!');
    expect(last.tooltip).toBe('Vigil: 1 incident paging you');
  });

  it('acknowledges the newest ringing page (the last to start ringing)', () => {
    const long = 'x'.repeat(200);
    const v = trayView(input({ alarm: alarm([page('old'), page('new', long)]) }), hhmm);
    const ack = item(v.menu, 'ack');
    expect(ack).toMatchObject({ enabled: true, action: { kind: 'ack', incidentId: 'new' } });
    expect(ack?.type === 'item' && ack.label.length).toBeLessThanOrEqual(ACK_LABEL_MAX + 'Acknowledge: '.length);
  });

  it('pause offers fixed choices; while paused it offers resume and says until when', () => {
    const v = trayView(input({}), hhmm);
    const pause = item(v.menu, 'pause');
    expect(pause?.type).toBe('submenu');
    const minutes = pause?.type === 'submenu' ? pause.items.map((i) => (i.type === 'item' ? i.action : null)) : [];
    expect(minutes).toEqual(PAUSE_CHOICES_MIN.map((m) => ({ kind: 'pause', minutes: m })));
    const paused = trayView(input({ pausedUntilMs: NOW + 30 * MINUTE_MS }), hhmm);
    expect(item(paused.menu, 'pause')).toBeUndefined();
    expect(item(paused.menu, 'resume')).toMatchObject({
      action: { kind: 'resume' },
      label: expect.stringContaining('03:30'),
    });
    expect(paused.tooltip).toContain('paused until 03:30');
    // An ended pause reads as none.
    expect(item(trayView(input({ pausedUntilMs: NOW }), hhmm).menu, 'pause')).toBeDefined();
  });

  it('formats countdowns like the Alarm', () => {
    expect(formatCountdown(0)).toBe('now');
    expect(formatCountdown(-5)).toBe('now');
    expect(formatCountdown(59_001)).toBe('1m 00s');
    expect(formatCountdown(2 * 3600_000 + 5 * 60_000)).toBe('2h 05m');
  });
});

describe('close keeps the app in the tray while on call', () => {
  const onCall = { primary: 'alex', secondary: 'ana' };
  it('on call (primary or secondary), or a page ringing or watched: hide', () => {
    expect(closeKeepsInTray({ user: 'ana', onCall, alarm: alarm([]) })).toBe(true);
    expect(closeKeepsInTray({ user: 'alex', onCall, alarm: null })).toBe(true);
    expect(closeKeepsInTray({ user: 'kim', onCall, alarm: alarm([page('i1')]) })).toBe(true);
    expect(closeKeepsInTray({ user: 'kim', onCall, alarm: alarm([], undefined, [page('i1')]) })).toBe(true);
  });
  it('off call with nothing open: close; no rotation known: hide (safe side)', () => {
    expect(closeKeepsInTray({ user: 'kim', onCall, alarm: alarm([]) })).toBe(false);
    expect(closeKeepsInTray({ user: 'kim', onCall: null, alarm: null })).toBe(true);
  });
});

describe('tray glue helpers', () => {
  it('icons live under build/tray, one per state', () => {
    expect(trayIconPath('/app.asar', 'ringing')).toBe('/app.asar/build/tray/ringing.png');
  });

  it('menu template: clicks report the item action; submenus and separators kept', () => {
    const run = vi.fn();
    const v = trayView(input({ alarm: alarm([page('i9')]) }), hhmm);
    const tpl = trayMenuTemplate(v.menu, run);
    expect(tpl.map((t) => t.type ?? t.id)).toEqual(['open', 'ack', 'separator', 'pause', 'separator', 'quit']);
    const ack = tpl.find((t) => t.id === 'ack');
    (ack?.click as () => void)();
    expect(run).toHaveBeenCalledWith({ kind: 'ack', incidentId: 'i9' });
    const sub = tpl.find((t) => t.id === 'pause')?.submenu as { click?: () => void }[];
    sub[0]?.click?.();
    expect(run).toHaveBeenLastCalledWith({ kind: 'pause', minutes: PAUSE_CHOICES_MIN[0] });
  });
});

/** Timers driven by hand: fire() runs what is due at `now`. */
function manualTime(start: number) {
  let now = start;
  let seq = 0;
  const pending = new Map<number, { at: number; fn: () => void }>();
  return {
    clock: { now: () => now },
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        const id = ++seq;
        pending.set(id, { at: now + ms, fn });
        return id;
      },
      clearTimeout: (h: unknown) => void pending.delete(h as number),
    },
    advance(ms: number) {
      now += ms;
      for (const [id, t] of [...pending]) {
        if (t.at <= now) {
          pending.delete(id);
          t.fn();
        }
      }
    },
    pendingCount: () => pending.size,
  };
}

describe('tray presenter', () => {
  it('repaints the countdown every second while ringing, and stops ticking when quiet', () => {
    const t = manualTime(NOW);
    const paint = vi.fn();
    const p = new TrayPresenter({
      paint,
      clock: t.clock,
      timers: t.timers,
      serverOffsetMs: () => 0,
      pausedUntil: () => undefined,
      formatTime: hhmm,
    });
    p.setAlarm(alarm([page('i1')], NOW + 10_000));
    expect(paint).toHaveBeenLastCalledWith(expect.objectContaining({ title: '0m 10s', icon: 'ringing' }));
    t.advance(TRAY_TICK_MS);
    expect(paint).toHaveBeenLastCalledWith(expect.objectContaining({ title: '0m 09s' }));
    p.setAlarm(alarm([]));
    expect(paint).toHaveBeenLastCalledWith(expect.objectContaining({ icon: 'clear' }));
    expect(t.pendingCount()).toBe(0);
    p.setOpenPages(3);
    expect(paint).toHaveBeenLastCalledWith(expect.objectContaining({ icon: 'open', tooltip: 'Vigil: 3 open pages' }));
    p.dispose();
    expect(p.refresh()).toBeNull();
  });
});

describe('pause other notifications', () => {
  function notifierDouble() {
    const sent: DesktopNotification[] = [];
    const n: Notifier = {
      notify: async (x) => {
        sent.push(x);
        return { ok: true };
      },
      onAcknowledge: () => () => {},
    };
    return { n, sent };
  }
  const quiet: DesktopNotification = { id: 't1', title: 'ticket', body: '', loud: false, acknowledgeAction: false };
  const loud: DesktopNotification = { id: 'p1', title: 'page', body: '', loud: true, acknowledgeAction: true };

  it('drops quiet notifications while paused; pages always ring', async () => {
    const t = manualTime(NOW);
    const pause = new NotificationPause(t.clock);
    const { n, sent } = notifierDouble();
    const wrapped = pausableNotifier(n, pause);
    const changed = vi.fn();
    pause.onChanged(changed);
    pause.pause(15 * MINUTE_MS);
    expect(changed).toHaveBeenCalledTimes(1);
    expect(pause.pausedUntil()).toBe(NOW + 15 * MINUTE_MS);
    expect(await wrapped.notify(quiet)).toEqual({ ok: true });
    await wrapped.notify(loud);
    expect(sent.map((s) => s.id)).toEqual(['p1']);
    t.advance(15 * MINUTE_MS);
    expect(pause.isPaused()).toBe(false);
    await wrapped.notify(quiet);
    expect(sent.map((s) => s.id)).toEqual(['p1', 't1']);
  });

  it('resume ends it; an oversized or negative pause is bounded', () => {
    const t = manualTime(NOW);
    const pause = new NotificationPause(t.clock);
    pause.pause(10 * 24 * 3600_000);
    expect(pause.pausedUntil()).toBe(NOW + MAX_PAUSE_MS);
    pause.resume();
    expect(pause.pausedUntil()).toBeUndefined();
    pause.pause(-5);
    expect(pause.isPaused()).toBe(false);
  });
});

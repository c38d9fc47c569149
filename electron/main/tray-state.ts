import type { AlarmState } from '../../shared/protocol/alarm.js';
import { formatRemaining } from './services/alarm/alarm-policy.js';

/**
 * The tray as a pure function of what the Alarm and the inbox say: which icon, what the tooltip
 * and (macOS) title read, and the menu. The Electron glue (tray.ts) only paints the result.
 */

/** all clear: nothing open; open: pages open (someone's); ringing: a page is ringing for me. */
export type TrayIconState = 'clear' | 'open' | 'ringing';

/** The choices of "Pause other notifications" (minutes). Pages are never paused. */
export const PAUSE_CHOICES_MIN: readonly number[] = [15, 30, 60, 120];

export type TrayAction =
  | { kind: 'open' }
  | { kind: 'ack'; incidentId: string }
  | { kind: 'pause'; minutes: number }
  | { kind: 'resume' }
  | { kind: 'quit' };

export type TrayMenuItem =
  | { type: 'item'; id: string; label: string; enabled: boolean; action: TrayAction }
  | { type: 'submenu'; id: string; label: string; enabled: boolean; items: TrayMenuItem[] }
  | { type: 'separator' };

export interface TrayInput {
  /** The Alarm's state (null before services are up). */
  alarm: AlarmState | null;
  /** Firing page-tier incidents, anyone's (the inbox's count). */
  openPages: number;
  /** Wall clock now and the collector's offset (deadlines are server times). */
  nowMs: number;
  serverOffsetMs: number;
  /** Non-page notifications paused until this time (ms), if they are. */
  pausedUntilMs?: number;
}

export interface TrayView {
  icon: TrayIconState;
  tooltip: string;
  /** macOS menu-bar text: the countdown while ringing, otherwise empty. */
  title: string;
  /** Ms until the nearest escalation, when a ringing page escalates on its own. */
  countdownMs?: number;
  menu: TrayMenuItem[];
}

/** "4m 05s", "1h 02m"; "now" once due. Same wording as the Alarm's notifications (one function). */
export const formatCountdown = formatRemaining;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Local wall-clock "HH:MM" for the pause item (tests pass a formatter). */
export type TimeFormatter = (ms: number) => string;

export function trayView(input: TrayInput, formatTime: TimeFormatter): TrayView {
  const ringing = input.alarm?.ringing ?? [];
  const serverNow = input.nowMs + input.serverOffsetMs;
  const dueMs = input.alarm?.nextDueAt !== undefined ? Date.parse(input.alarm.nextDueAt) : Number.NaN;
  const countdownMs = ringing.length > 0 && Number.isFinite(dueMs) ? dueMs - serverNow : undefined;
  const icon: TrayIconState = ringing.length > 0 ? 'ringing' : input.openPages > 0 ? 'open' : 'clear';
  let tooltip: string;
  if (icon === 'ringing') {
    const first = `${plural(ringing.length, 'incident')} paging you`;
    tooltip = `Vigil: ${first}${countdownMs !== undefined ? ` · escalates in ${formatCountdown(countdownMs)}` : ''}`;
  } else if (icon === 'open') {
    tooltip = `Vigil: ${plural(input.openPages, 'open page')}`;
  } else {
    tooltip = 'Vigil: all clear';
  }
  const paused = input.pausedUntilMs !== undefined && input.pausedUntilMs > input.nowMs;
  if (paused) tooltip += ` · other notifications paused until ${formatTime(input.pausedUntilMs as number)}`;
  const title = icon === 'ringing' ? (countdownMs !== undefined ? formatCountdown(countdownMs) : '!') : '';

  // "The newest page": the Alarm lists ringing pages in the order they started ringing.
  const newest = ringing[ringing.length - 1];
  const menu: TrayMenuItem[] = [
    { type: 'item', id: 'open', label: 'Open Vigil', enabled: true, action: { kind: 'open' } },
    newest
      ? {
          type: 'item',
          id: 'ack',
          label: `Acknowledge: ${truncate(newest.summary, ACK_LABEL_MAX)}`,
          enabled: true,
          action: { kind: 'ack', incidentId: newest.incidentId },
        }
      : {
          type: 'item',
          id: 'ack',
          label: 'Acknowledge newest page',
          enabled: false,
          action: { kind: 'open' },
        },
    { type: 'separator' },
    paused
      ? {
          type: 'item',
          id: 'resume',
          label: `Resume notifications (paused until ${formatTime(input.pausedUntilMs as number)})`,
          enabled: true,
          action: { kind: 'resume' },
        }
      : {
          type: 'submenu',
          id: 'pause',
          label: 'Pause other notifications',
          enabled: true,
          items: PAUSE_CHOICES_MIN.map((minutes) => ({
            type: 'item' as const,
            id: `pause-${minutes}`,
            label: minutes < 60 ? `for ${minutes} minutes` : `for ${plural(minutes / 60, 'hour')}`,
            enabled: true,
            action: { kind: 'pause' as const, minutes },
          })),
        },
    { type: 'separator' },
    { type: 'item', id: 'quit', label: 'Quit Vigil', enabled: true, action: { kind: 'quit' } },
  ];
  return { icon, tooltip, title, ...(countdownMs !== undefined ? { countdownMs } : {}), menu };
}

/** Menu labels stay short: the OS truncates badly. */
export const ACK_LABEL_MAX = 60;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Whether two views need a repaint of the menu (the countdown ticks every second; the menu does not). */
export function sameMenu(a: TrayView | null, b: TrayView): boolean {
  return a !== null && JSON.stringify(a.menu) === JSON.stringify(b.menu);
}

/** What decides whether closing the window keeps the app in the tray. */
export interface OnCallInput {
  user: string;
  /** Primary and secondary now (from the cached rotation), or null when the team has no rotation. */
  onCall: { primary: string; secondary: string } | null;
  alarm: AlarmState | null;
}

/**
 * Closing the window hides it into the tray while the user is on call (primary or secondary now),
 * or while a page rings or is watched here; otherwise the window really closes (and on Linux and
 * Windows the app quits with it, as apps do). With no rotation known, every user counts as on call: an
 * on-call tool that quits when its window is closed misses pages.
 */
export function closeKeepsInTray(input: OnCallInput): boolean {
  if ((input.alarm?.ringing.length ?? 0) > 0 || (input.alarm?.watching.length ?? 0) > 0) return true;
  if (input.onCall === null) return true;
  return input.onCall.primary === input.user || input.onCall.secondary === input.user;
}

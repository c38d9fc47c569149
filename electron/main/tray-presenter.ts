import type { Clock } from '../../shared/clock.js';
import type { AlarmState } from '../../shared/protocol/alarm.js';
import { systemTimers, type Timers } from './services/runtime.js';
import { trayView, type TimeFormatter, type TrayView } from './tray-state.js';

/** The countdown in the tooltip moves once a second while something counts down. */
export const TRAY_TICK_MS = 1_000;

export interface TrayPresenterOptions {
  paint(view: TrayView): void;
  clock: Clock;
  /** The collector's clock offset (deadlines are server times). */
  serverOffsetMs(): number;
  /** Non-page notifications paused until (ms), if they are. */
  pausedUntil(): number | undefined;
  formatTime: TimeFormatter;
  timers?: Timers;
}

/**
 * Holds the latest Alarm state and open-page count, turns them into a TrayView (tray-state.ts)
 * and repaints: at once on every change, and every second while a countdown or a pause shows.
 */
export class TrayPresenter {
  private alarm: AlarmState | null = null;
  private openPages = 0;
  private timer: unknown = null;
  private disposed = false;
  private readonly timers: Timers;

  constructor(private readonly opts: TrayPresenterOptions) {
    this.timers = opts.timers ?? systemTimers;
  }

  setAlarm(state: AlarmState): void {
    this.alarm = state;
    this.refresh();
  }

  setOpenPages(n: number): void {
    this.openPages = Math.max(0, Math.floor(n));
    this.refresh();
  }

  /** Paints now; schedules the next tick while the view has something that moves. */
  refresh(): TrayView | null {
    if (this.disposed) return null;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    const pausedUntilMs = this.opts.pausedUntil();
    const view = trayView(
      {
        alarm: this.alarm,
        openPages: this.openPages,
        nowMs: this.opts.clock.now(),
        serverOffsetMs: this.opts.serverOffsetMs(),
        ...(pausedUntilMs !== undefined ? { pausedUntilMs } : {}),
      },
      this.opts.formatTime,
    );
    this.opts.paint(view);
    if (view.countdownMs !== undefined || pausedUntilMs !== undefined) {
      this.timer = this.timers.setTimeout(() => this.refresh(), TRAY_TICK_MS);
    }
    return view;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}

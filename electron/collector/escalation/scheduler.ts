import type { Clock } from '../../../shared/clock.js';

/** Longest single wait: timers this long drift, and the wall clock may jump (sleep, NTP). */
const MAX_WAIT_MS = 60_000;
const FAILURE_RETRY_MS = 5_000;

export interface DueSource {
  nextDue(): number | undefined;
  /** Takes the due steps; returns how many were taken. */
  runDue(): number;
}

/**
 * One timer, armed for the earliest due time on the injected clock and re-armed after every
 * change: page deadlines and the incident core's due times (group waits, snooze and silence
 * ends; issue 12). The deadlines themselves live in SQLite; this only decides when to look.
 */
export class EscalationScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private disposed = false;

  constructor(
    private readonly source: DueSource,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void,
  ) {}

  /** Fires whatever is overdue (after a restart: at once, in order), then arms the timer. */
  start(): void {
    this.disposed = false;
    this.tick();
  }

  /** Call after anything that may have moved a deadline. */
  rearm(minWaitMs = 0): void {
    if (this.disposed || this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const due = this.source.nextDue();
    if (due === undefined) return;
    const wait = Math.min(Math.max(minWaitMs, due - this.clock.now()), MAX_WAIT_MS);
    this.timer = setTimeout(() => this.tick(), wait);
    this.timer.unref();
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    this.timer = undefined;
    if (this.disposed) return;
    this.running = true;
    let failed = false;
    try {
      this.source.runDue();
    } catch (err) {
      failed = true;
      this.log(`escalation: tick failed: ${String(err)}`);
    } finally {
      this.running = false;
    }
    // After a failure, do not spin on the same overdue row.
    this.rearm(failed ? FAILURE_RETRY_MS : 0);
  }
}

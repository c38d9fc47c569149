import type { Logger, Timers } from './runtime.js';

/** Whether the collector is reachable now, and a signal on every (re)connect. */
export interface ConnectionSignal {
  isReady(): boolean;
  /** Called after each (re)connect. Returns an unsubscribe function. */
  onReady(listener: () => void): () => void;
}

export interface PollerOptions {
  /** Prefixes the warning logged when a run fails, e.g. `series sync`. */
  name: string;
  connection: ConnectionSignal;
  /** Between runs while connected. */
  intervalMs: number;
  /** One run; its rejection is logged, never thrown. */
  run: () => Promise<void>;
  timers: Timers;
  log: Pick<Logger, 'warn'>;
}

/**
 * A single-flight periodic job tied to the connection's readiness: it runs on every connect and
 * every `intervalMs` while connected; a run asked for while one is in flight runs once more after
 * it, so what changed meanwhile is not missed and runs never overlap.
 */
export class Poller {
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private again = false;
  private unsubscribe: (() => void) | null = null;
  private isDisposed = false;

  constructor(private readonly opts: PollerOptions) {}

  get disposed(): boolean {
    return this.isDisposed;
  }

  start(): void {
    if (this.unsubscribe || this.isDisposed) return;
    this.unsubscribe = this.opts.connection.onReady(() => void this.runNow());
    if (this.opts.connection.isReady()) void this.runNow();
    this.schedule();
  }

  dispose(): void {
    this.isDisposed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer !== null) this.opts.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One run; concurrent calls share it (one more runs after if asked meanwhile). Never rejects. */
  runNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.opts
      .run()
      .catch((err: unknown) => {
        if (!this.isDisposed) {
          this.opts.log.warn(`${this.opts.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
      })
      .finally(() => {
        this.running = null;
        const again = this.again;
        this.again = false;
        if (again && !this.isDisposed && this.opts.connection.isReady()) void this.runNow();
      });
    return this.running;
  }

  /** Resolves once no run is in flight or asked for: e.g. the first pull after a connect is done. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private schedule(): void {
    if (this.isDisposed) return;
    this.timer = this.opts.timers.setTimeout(() => {
      if (this.isDisposed) return;
      if (this.opts.connection.isReady()) void this.runNow();
      this.schedule();
    }, this.opts.intervalMs);
  }
}

import { systemClock, toIso, type Clock } from '../../../../shared/clock.js';
import { describeZodError } from '../../../../shared/protocol/errors.js';
import { RotationView } from '../../../../shared/protocol/rotation.js';
import type { RotationCache } from './rotation-cache.js';

/** Structural ports (the layer lint keeps services subfolders from importing ../*.js). */
export interface RotationLog {
  warn(message: string): void;
  error(message: string): void;
}
export interface RotationTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export interface RotationConnection {
  isReady(): boolean;
  onReady(listener: () => void): () => void;
}

export interface RotationSyncOptions {
  collectorUrl: string;
  token: string;
  cache: RotationCache;
  connection: RotationConnection;
  clock?: Clock;
  timers?: RotationTimers;
  log?: RotationLog;
  /** Between polls while connected: overrides made from other desktops arrive this way. */
  intervalMs?: number;
  fetch?: typeof fetch;
}

export const ROTATION_POLL_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

const quiet: RotationLog = { warn: () => {}, error: () => {} };
const unrefTimers: RotationTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Keeps the cached rotation fresh: fetches `GET /v1/rotation` on every connect, every minute while
 * connected, and when asked (an override of ours was applied). A failed fetch keeps the cached
 * rotation, so the calendar stays readable offline.
 */
export class RotationSync {
  private readonly clock: Clock;
  private readonly timers: RotationTimers;
  private readonly log: RotationLog;
  private readonly listeners = new Set<(syncedAt: string) => void>();
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private again = false;
  private abort: AbortController | null = null;
  private unsubscribe: (() => void) | null = null;
  private disposed = false;

  constructor(private readonly opts: RotationSyncOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? unrefTimers;
    this.log = opts.log ?? quiet;
  }

  start(): void {
    if (this.unsubscribe || this.disposed) return;
    this.unsubscribe = this.opts.connection.onReady(() => void this.syncNow());
    if (this.opts.connection.isReady()) void this.syncNow();
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.listeners.clear();
  }

  /** Called after each fetch stored a rotation, with its time. */
  onChanged(listener: (syncedAt: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One fetch; a call during a fetch runs one more after it. Never rejects. */
  syncNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.pull()
      .catch((err: unknown) => {
        if (!this.disposed) this.log.warn(`rotation sync: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        this.running = null;
        const again = this.again;
        this.again = false;
        if (again && !this.disposed && this.opts.connection.isReady()) void this.syncNow();
      });
    return this.running;
  }

  private schedule(): void {
    if (this.disposed) return;
    this.timer = this.timers.setTimeout(() => {
      if (this.opts.connection.isReady()) void this.syncNow();
      this.schedule();
    }, this.opts.intervalMs ?? ROTATION_POLL_MS);
  }

  private async pull(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const timeout = this.timers.setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    let view: RotationView;
    try {
      const res = await (this.opts.fetch ?? fetch)(new URL('/v1/rotation', this.opts.collectorUrl), {
        headers: { authorization: `Bearer ${this.opts.token}` },
        signal: abort.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET /v1/rotation answered ${res.status}: ${text.slice(0, 200)}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error('GET /v1/rotation did not answer JSON');
      }
      const parsed = RotationView.safeParse(json);
      if (!parsed.success) {
        const { field, message } = describeZodError(parsed.error);
        throw new Error(`GET /v1/rotation sent an invalid body (${field}: ${message})`);
      }
      view = parsed.data;
    } finally {
      this.timers.clearTimeout(timeout);
      if (this.abort === abort) this.abort = null;
    }
    if (this.disposed) return;
    const syncedAt = toIso(this.clock.now());
    this.opts.cache.put(view, syncedAt);
    for (const l of [...this.listeners]) {
      try {
        l(syncedAt);
      } catch (err) {
        this.log.error(`rotation sync: listener failed: ${String(err)}`);
      }
    }
  }
}

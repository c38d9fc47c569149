import { systemClock, toIso, type Clock } from '../../../../shared/clock.js';
import { describeZodError } from '../../../../shared/protocol/errors.js';
import { RotationView } from '../../../../shared/protocol/rotation.js';
import { Poller, type ConnectionSignal } from '../poller.js';
import { silentLogger, systemTimers, type Logger, type Timers } from '../runtime.js';
import type { RotationCache } from './rotation-cache.js';

export interface RotationSyncOptions {
  collectorUrl: string;
  token: string;
  cache: RotationCache;
  connection: ConnectionSignal;
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
  /** Between polls while connected: overrides made from other desktops arrive this way. */
  intervalMs?: number;
  fetch?: typeof fetch;
}

export const ROTATION_POLL_MS = 60_000;
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * Keeps the cached rotation fresh: fetches `GET /v1/rotation` on every connect, every minute while
 * connected, and when asked (an override of ours was applied). A failed fetch keeps the cached
 * rotation, so the calendar stays readable offline.
 */
export class RotationSync {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly listeners = new Set<(syncedAt: string) => void>();
  private readonly poller: Poller;
  private abort: AbortController | null = null;

  constructor(private readonly opts: RotationSyncOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.log = opts.log ?? silentLogger;
    this.poller = new Poller({
      name: 'rotation sync',
      connection: opts.connection,
      intervalMs: opts.intervalMs ?? ROTATION_POLL_MS,
      run: () => this.pull(),
      timers: this.timers,
      log: this.log,
    });
  }

  private get disposed(): boolean {
    return this.poller.disposed;
  }

  start(): void {
    this.poller.start();
  }

  dispose(): void {
    this.poller.dispose();
    this.abort?.abort();
    this.listeners.clear();
  }

  /** Called after each fetch stored a rotation, with its time. */
  onChanged(listener: (syncedAt: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when no pull is running or queued. */
  idle(): Promise<void> {
    return this.poller.idle();
  }

  /** One fetch; a call during a fetch runs one more after it. Never rejects. */
  syncNow(): Promise<void> {
    return this.poller.runNow();
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

import type { z } from 'zod';
import { systemClock, type Clock } from '../../../shared/clock.js';
import { describeZodError } from '../../../shared/protocol/errors.js';
import { Poller, type ConnectionSignal } from './poller.js';
import { silentLogger, systemTimers, type Logger, type Timers } from './runtime.js';

export interface CollectorPullOptions {
  collectorUrl: string;
  token: string;
  connection: ConnectionSignal;
  clock?: Clock;
  timers?: Timers;
  log?: Pick<Logger, 'warn'>;
  /** Between pulls while connected. */
  intervalMs?: number;
  fetch?: typeof fetch;
}

const REQUEST_TIMEOUT_MS = 30_000;

/**
 * What the chart, runbook and rotation syncs share: a Poller tied to the connection (a pull on
 * every connect, every `intervalMs`, and when asked), GETs to the collector with its token and a
 * timeout, every body validated by its schema before it reaches a cache, and change listeners.
 * A failed pull changes nothing, so what is cached stays readable offline.
 */
export abstract class CollectorPull<Change> {
  protected readonly clock: Clock;
  protected readonly timers: Timers;
  protected readonly log: Pick<Logger, 'warn'>;
  private readonly poller: Poller;
  private readonly listeners = new Set<(change: Change) => void>();
  private abort: AbortController | null = null;

  constructor(
    private readonly pullOpts: CollectorPullOptions,
    private readonly name: string,
    defaultIntervalMs: number,
  ) {
    this.clock = pullOpts.clock ?? systemClock;
    this.timers = pullOpts.timers ?? systemTimers;
    this.log = pullOpts.log ?? silentLogger;
    this.poller = new Poller({
      name,
      connection: pullOpts.connection,
      intervalMs: pullOpts.intervalMs ?? defaultIntervalMs,
      run: () => this.pull(),
      timers: this.timers,
      log: this.log,
    });
  }

  /** One pull: fetch, validate, store, then `emitChanged` if the cache changed. */
  protected abstract pull(): Promise<void>;

  protected get disposed(): boolean {
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

  /** Called after each pull that changed the cache. */
  onChanged(listener: (change: Change) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when no pull is running or queued. */
  idle(): Promise<void> {
    return this.poller.idle();
  }

  /** One pull; concurrent calls share it (one more runs after if asked meanwhile). Never rejects. */
  syncNow(): Promise<void> {
    return this.poller.runNow();
  }

  protected emitChanged(change: Change): void {
    for (const l of [...this.listeners]) {
      try {
        l(change);
      } catch (err) {
        this.log.warn(`${this.name}: listener failed: ${String(err)}`);
      }
    }
  }

  /** GET `path` (with its query) from the collector; rejects unless it answers 2xx with a body `schema` accepts. */
  protected async getJson<T>(path: string, schema: z.ZodType<T>, what = 'body'): Promise<T> {
    const url = new URL(path, this.pullOpts.collectorUrl);
    const abort = new AbortController();
    this.abort = abort;
    const timeout = this.timers.setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      const res = await (this.pullOpts.fetch ?? fetch)(url, {
        headers: { authorization: `Bearer ${this.pullOpts.token}` },
        signal: abort.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET ${url.pathname} answered ${res.status}: ${text.slice(0, 200)}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`GET ${url.pathname} did not answer JSON`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const { field, message } = describeZodError(parsed.error);
        throw new Error(`GET ${url.pathname} sent an invalid ${what} (${field}: ${message})`);
      }
      return parsed.data;
    } finally {
      this.timers.clearTimeout(timeout);
      if (this.abort === abort) this.abort = null;
    }
  }
}

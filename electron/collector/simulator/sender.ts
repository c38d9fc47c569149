/**
 * Delivers batches to the collector, one request in flight, in order. A collector that is
 * briefly down is retried with capped exponential backoff; while it is down, batches wait in
 * a bounded buffer and the oldest are dropped (and counted) past the bound, so a long outage
 * costs memory only up to `maxBuffer` events.
 */
import type { LlmEventInput } from '../../../shared/protocol/events.js';
import type { EvalResultInput } from '../../../shared/sim/index.js';

export interface HttpResponse {
  status: number;
  body: string;
}
/** Injected so tests can stand in a fake collector without sockets. */
export type PostFn = (url: string, body: string, headers: Record<string, string>) => Promise<HttpResponse>;

export const fetchPost: PostFn = async (url, body, headers) => {
  const res = await fetch(url, { method: 'POST', body, headers, signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: await res.text() };
};

interface Batch {
  kind: 'events' | 'evals';
  items: readonly (LlmEventInput | EvalResultInput)[];
  /** Backfill batches wait (backpressure) instead of being dropped. */
  keep: boolean;
}

export interface SenderStats {
  eventsSent: number;
  evalsSent: number;
  /** Failed POST attempts (each retry counts). */
  postFailures: number;
  /** Events dropped: buffer overflow or a batch the collector rejected as invalid. */
  dropped: number;
  evalsDisabled: boolean;
  lastError?: string;
}

export interface SenderOptions {
  url: string;
  token: string;
  batchSize: number;
  maxBuffer: number;
  post?: PostFn;
  log: (line: string) => void;
  warn: (line: string) => void;
  /** The collector refused the token: nothing will ever get through. */
  onFatal: (message: string) => void;
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 10_000;

/** 408, 425, 429 and 5xx are worth a retry; other 4xx mean the batch itself is wrong. */
export function isRetryable(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

function endpoint(base: string, path: string): string {
  return new URL(path, base.endsWith('/') ? base : `${base}/`).toString();
}

export class Sender {
  readonly stats: SenderStats = { eventsSent: 0, evalsSent: 0, postFailures: 0, dropped: 0, evalsDisabled: false };
  private readonly queue: Batch[] = [];
  private bufferedEvents = 0;
  private readonly post: PostFn;
  private readonly eventsUrl: string;
  private readonly evalsUrl: string;
  private wake: (() => void) | undefined;
  private sleepTimer: ReturnType<typeof setTimeout> | undefined;
  private sleepResolve: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private backoffMs = 0;
  /** Since when every attempt has failed (undefined while healthy). */
  failingSince: number | undefined;
  private droppedUnreported = 0;

  constructor(private readonly opts: SenderOptions) {
    this.post = opts.post ?? fetchPost;
    this.eventsUrl = endpoint(opts.url, 'v1/events');
    this.evalsUrl = endpoint(opts.url, 'v1/evals');
  }

  /** Events waiting (including the batch in flight). */
  get buffered(): number {
    return this.bufferedEvents;
  }

  start(): void {
    this.running ??= this.pump();
  }

  enqueueEvents(events: readonly LlmEventInput[], opts: { keep?: boolean } = {}): void {
    for (let i = 0; i < events.length; i += this.opts.batchSize) {
      this.push({ kind: 'events', items: events.slice(i, i + this.opts.batchSize), keep: opts.keep ?? false });
    }
    this.enforceBound();
  }

  enqueueEvals(evals: readonly EvalResultInput[]): void {
    if (evals.length === 0 || this.stats.evalsDisabled) return;
    this.push({ kind: 'evals', items: evals, keep: true });
  }

  /** Resolves once at most `limit` events wait; the backfill uses it instead of dropping. */
  async waitBelow(limit: number): Promise<void> {
    while (!this.stopped && this.bufferedEvents > limit) await delay(50);
  }

  /** Resolves when everything queued is delivered, or after `timeoutMs`; true when empty. */
  async flush(timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.queue.length > 0 && performance.now() < deadline && !this.stopped) await delay(20);
    return this.queue.length === 0;
  }

  /** Takes the count of events dropped since the last call (for a rate-limited warning). */
  takeDroppedUnreported(): number {
    const n = this.droppedUnreported;
    this.droppedUnreported = 0;
    return n;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // Cut a backoff short so shutdown does not wait for it.
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.sleepResolve?.();
    this.wake?.();
    await this.running;
  }

  private push(b: Batch): void {
    this.queue.push(b);
    if (b.kind === 'events') this.bufferedEvents += b.items.length;
    this.wake?.();
  }

  private enforceBound(): void {
    // Drop the oldest live batches, never the one in flight (index 0) nor backfill batches.
    let i = 1;
    while (this.bufferedEvents > this.opts.maxBuffer && i < this.queue.length) {
      const b = this.queue[i];
      if (b && b.kind === 'events' && !b.keep) {
        this.queue.splice(i, 1);
        this.bufferedEvents -= b.items.length;
        this.stats.dropped += b.items.length;
        this.droppedUnreported += b.items.length;
      } else i++;
    }
  }

  private async pump(): Promise<void> {
    while (!this.stopped) {
      const head = this.queue[0];
      if (!head) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const outcome = await this.send(head);
      if (outcome === 'retry') {
        this.backoffMs = Math.min(BACKOFF_MAX_MS, this.backoffMs ? this.backoffMs * 2 : BACKOFF_MIN_MS);
        await this.sleep(this.backoffMs * (0.75 + Math.random() * 0.5));
        continue;
      }
      this.backoffMs = 0;
      this.failingSince = undefined;
      this.shift(head);
    }
  }

  private shift(head: Batch): void {
    if (this.queue[0] !== head) return;
    this.queue.shift();
    if (head.kind === 'events') this.bufferedEvents -= head.items.length;
  }

  /** 'done' = delivered or deliberately given up on; 'retry' = try the same batch again later. */
  private async send(b: Batch): Promise<'done' | 'retry'> {
    if (b.kind === 'evals' && this.stats.evalsDisabled) return 'done';
    const isEvents = b.kind === 'events';
    const body = isEvents ? b.items.map((e) => JSON.stringify(e)).join('\n') + '\n' : JSON.stringify(b.items);
    let res: HttpResponse;
    try {
      res = await this.post(isEvents ? this.eventsUrl : this.evalsUrl, body, {
        authorization: `Bearer ${this.opts.token}`,
        'content-type': isEvents ? 'application/x-ndjson' : 'application/json',
      });
    } catch (err) {
      return this.failed(
        err instanceof Error
          ? err.cause instanceof Error
            ? `${err.message}: ${err.cause.message}`
            : err.message
          : String(err),
      );
    }
    if (res.status >= 200 && res.status < 300) {
      if (isEvents) this.stats.eventsSent += b.items.length;
      else this.stats.evalsSent += b.items.length;
      return 'done';
    }
    if (!isEvents && (res.status === 404 || res.status === 405)) {
      // The collector's eval route may not exist yet: say so once, then stop trying.
      this.stats.evalsDisabled = true;
      this.opts.warn(`collector answered ${res.status} for /v1/evals; not sending eval results any more`);
      this.queue.splice(1, this.queue.length, ...this.queue.slice(1).filter((q) => q.kind !== 'evals'));
      return 'done';
    }
    if (res.status === 401 || res.status === 403) {
      this.stats.postFailures++;
      this.opts.onFatal(`collector rejected the token (HTTP ${res.status}); check --token`);
      this.stopped = true;
      return 'done';
    }
    if (res.status === 413 && b.items.length > 1) {
      // Too big for the collector's limit: split in place and send the halves in order.
      const half = Math.ceil(b.items.length / 2);
      this.queue.splice(1, 0, { ...b, items: b.items.slice(0, half) }, { ...b, items: b.items.slice(half) });
      if (isEvents) this.bufferedEvents += b.items.length;
      return 'done';
    }
    if (isRetryable(res.status)) return this.failed(`HTTP ${res.status}`);
    this.stats.postFailures++;
    if (isEvents) this.stats.dropped += b.items.length;
    this.stats.lastError = `HTTP ${res.status}: ${res.body.slice(0, 300)}`;
    this.opts.warn(`collector rejected a batch of ${b.items.length} ${b.kind} (${this.stats.lastError}); dropped`);
    return 'done';
  }

  private failed(message: string): 'retry' {
    this.stats.postFailures++;
    if (this.stats.lastError !== message || this.failingSince === undefined) {
      this.opts.warn(`post failed (${message}); retrying with backoff, buffering up to ${this.opts.maxBuffer} events`);
    }
    this.stats.lastError = message;
    this.failingSince ??= performance.now();
    return 'retry';
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepResolve = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

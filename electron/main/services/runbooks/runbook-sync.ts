import type { z } from 'zod';
import { systemClock, toIso, type Clock } from '../../../../shared/clock.js';
import { describeZodError } from '../../../../shared/protocol/errors.js';
import { RunbookDoc, RunbookListBody } from '../../../../shared/runbooks/schema.js';
import { Poller, type ConnectionSignal } from '../poller.js';
import { Listeners, silentLogger, systemTimers, type Logger, type Timers } from '../runtime.js';
import type { RunbookCache } from './runbook-cache.js';

export interface RunbookSyncOptions {
  collectorUrl: string;
  token: string;
  cache: RunbookCache;
  connection: ConnectionSignal;
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
  /** Between polls while connected. */
  intervalMs?: number;
  fetch?: typeof fetch;
}

export const RUNBOOK_POLL_MS = 5 * 60_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** A collector listing more than this is broken or hostile; we keep what we have. */
const MAX_RUNBOOKS = 5_000;

export interface RunbookSyncResult {
  fetched: string[];
  removed: string[];
}

/**
 * Keeps the cache's runbooks equal to the collector's: on every connect and every few minutes,
 * list `/v1/runbooks`, fetch only the ids whose content version changed, drop the ids no longer
 * listed. A failed pull changes nothing, so the cached runbooks stay searchable offline.
 */
export class RunbookSync {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly changed = new Listeners<RunbookSyncResult>();
  private readonly poller: Poller;
  private abort: AbortController | null = null;

  constructor(private readonly opts: RunbookSyncOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.log = opts.log ?? silentLogger;
    this.poller = new Poller({
      name: 'runbook sync',
      connection: opts.connection,
      intervalMs: opts.intervalMs ?? RUNBOOK_POLL_MS,
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
    this.changed.clear();
  }

  /** Called after a pull that changed the cache. */
  onChanged(listener: (result: RunbookSyncResult) => void): () => void {
    return this.changed.on(listener);
  }

  /** Resolves when no pull is running or queued. */
  idle(): Promise<void> {
    return this.poller.idle();
  }

  /** One pull; concurrent calls share it (one more runs after if asked meanwhile). Never rejects. */
  syncNow(): Promise<void> {
    return this.poller.runNow();
  }

  private async pull(): Promise<void> {
    const list = await this.get('/v1/runbooks', RunbookListBody);
    if (list.runbooks.length > MAX_RUNBOOKS) throw new Error(`collector lists ${list.runbooks.length} runbooks (max ${MAX_RUNBOOKS})`);
    for (const bad of list.invalid) {
      this.log.warn(`runbook sync: collector skipped invalid ${bad.file} (${bad.problems.length} problem(s))`);
    }
    const have = this.opts.cache.versions();
    const stale = list.runbooks.filter((r) => have.get(r.id) !== r.version);
    const docs: RunbookDoc[] = [];
    for (const r of stale) {
      if (this.disposed) return;
      const doc = await this.get(`/v1/runbooks/${encodeURIComponent(r.id)}`, RunbookDoc);
      if (doc.id !== r.id) throw new Error(`GET /v1/runbooks/${r.id} answered with runbook ${doc.id}`);
      docs.push(doc);
    }
    if (this.disposed) return;
    const listed = new Set(list.runbooks.map((r) => r.id));
    const removed = [...have.keys()].filter((id) => !listed.has(id));
    if (docs.length === 0 && removed.length === 0) return;
    this.opts.cache.put(docs, toIso(this.clock.now()));
    this.opts.cache.remove(removed);
    this.changed.emit({ fetched: docs.map((d) => d.id), removed }, this.log);
  }

  private async get<T>(path: string, schema: z.ZodType<T>): Promise<T> {
    const abort = new AbortController();
    this.abort = abort;
    const timeout = this.timers.setTimeout(() => abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      const res = await (this.opts.fetch ?? fetch)(new URL(path, this.opts.collectorUrl), {
        headers: { authorization: `Bearer ${this.opts.token}` },
        signal: abort.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${text.slice(0, 200)}`);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new Error(`GET ${path} did not answer JSON`);
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const { field, message } = describeZodError(parsed.error);
        throw new Error(`GET ${path} sent an invalid body (${field}: ${message})`);
      }
      return parsed.data;
    } finally {
      this.timers.clearTimeout(timeout);
      if (this.abort === abort) this.abort = null;
    }
  }
}

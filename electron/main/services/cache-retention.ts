import { DAY_MS, HOUR_MS, toIso, type Clock } from '../../../shared/clock.js';
import type { Logger, Timers } from './runtime.js';
import type { Cache } from './cache/index.js';

export interface CacheRetentionOptions {
  /** Resolved alerts and incidents (and answered commands) older than this many days are forgotten. */
  resolvedDays: number;
  /** How often the maintenance tick runs. */
  intervalMs: number;
}

export const DEFAULT_CACHE_RETENTION: CacheRetentionOptions = { resolvedDays: 30, intervalMs: HOUR_MS };

/** Alerts (and incidents) deleted per transaction, so a first prune of a huge cache never freezes the UI. */
const PRUNE_CHUNK = 500;
const MAX_CHUNKS_PER_TICK = 100;

/**
 * The desktop's maintenance tick: keeps the cache from growing without bound. Only resolved
 * alerts and incidents go (each by its own resolvedAt); what is open, and commands not yet
 * answered, always stay.
 */
export class CacheRetention {
  private timer: unknown = null;
  private disposed = false;

  constructor(
    private readonly cache: Cache,
    private readonly opts: CacheRetentionOptions,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.timer !== null || this.disposed) return;
    this.schedule(0);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One full prune, synchronously; returns how many alerts went. */
  runOnce(): number {
    const before = toIso(this.clock.now() - this.opts.resolvedDays * DAY_MS);
    let alerts = 0;
    let incidents = 0;
    let timeline = 0;
    let outbox = 0;
    for (let i = 0; i < MAX_CHUNKS_PER_TICK; i++) {
      const r = this.cache.prune(before, PRUNE_CHUNK);
      alerts += r.alerts;
      incidents += r.incidents;
      timeline += r.timeline;
      outbox += r.outbox;
      if (r.alerts < PRUNE_CHUNK && r.incidents < PRUNE_CHUNK) break;
    }
    if (alerts + incidents + outbox > 0) {
      this.log.info(
        `cache: retention pruned ${alerts} resolved alerts, ${incidents} resolved incidents, ${timeline} timeline entries, ${outbox} outbox items`,
      );
    }
    return alerts;
  }

  private schedule(ms: number): void {
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      if (this.disposed) return;
      try {
        this.runOnce();
      } catch (err) {
        this.log.error(`cache: retention failed: ${String(err)}`);
      }
      this.schedule(this.opts.intervalMs);
    }, ms);
  }
}

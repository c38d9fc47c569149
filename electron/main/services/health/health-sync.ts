import { toIso } from '../../../../shared/clock.js';
import { HealthAnswer } from '../../../../shared/protocol/health.js';
import type { CachedRotation } from '../../../../shared/protocol/rotation.js';
import { CollectorPull, type CollectorPullOptions } from '../collector-pull.js';
import type { HealthCache } from './health-cache.js';
import { healthViewRange } from './health-range.js';

export interface HealthSyncOptions extends CollectorPullOptions {
  cache: HealthCache;
  /** The cached rotation: the weeks asked for start at its handoffs. */
  rotation: () => CachedRotation | null;
}

/** Between polls while connected (figures move with pages; incident changes also ask for a pull). */
export const HEALTH_POLL_MS = 5 * 60_000;
/** Incident changes ask for a pull at most this often (a storm of changes makes one pull, at its end). */
// 30 s: each pull makes the collector (one thread) answer a 13-week health query; a storm of
// incident changes across several desktops must not turn into a query every few seconds.
export const HEALTH_PULL_GAP_MS = 30_000;

/**
 * Keeps the cached health answer fresh: `GET /v1/health` for the Health view's range on every
 * connect, every few minutes, and soon after incidents change. A failed fetch keeps the cached
 * answer, so the view stays readable offline with its "as of" time.
 */
export class HealthSync extends CollectorPull<string> {
  private soonTimer: unknown = null;
  private lastPullMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly opts: HealthSyncOptions) {
    super(opts, 'health sync', HEALTH_POLL_MS);
  }

  /** A pull after HEALTH_PULL_GAP_MS since the last one at the latest; asks in between collapse into it. */
  soon(): void {
    if (this.soonTimer !== null || this.disposed) return;
    const wait = Math.max(0, this.lastPullMs + HEALTH_PULL_GAP_MS - this.clock.now());
    this.soonTimer = this.timers.setTimeout(() => {
      this.soonTimer = null;
      void this.syncNow();
    }, wait);
  }

  override dispose(): void {
    if (this.soonTimer !== null) this.timers.clearTimeout(this.soonTimer);
    this.soonTimer = null;
    super.dispose();
  }

  protected async pull(): Promise<void> {
    const nowMs = this.clock.now();
    this.lastPullMs = nowMs;
    const { fromMs, toMs } = healthViewRange(this.opts.rotation()?.view.rotation ?? undefined, nowMs);
    const query = new URLSearchParams({ from: toIso(fromMs), to: toIso(toMs) });
    const answer = await this.getJson(`/v1/health?${query.toString()}`, HealthAnswer);
    if (this.disposed) return;
    const syncedAt = toIso(this.clock.now());
    this.opts.cache.put(answer, syncedAt);
    this.emitChanged(syncedAt);
  }
}

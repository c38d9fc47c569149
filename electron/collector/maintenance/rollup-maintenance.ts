import { HOUR_MS, MINUTE_MS, type Clock } from '../../../shared/clock.js';
import type { RollupRetentionConfig } from '../../../shared/rules/config.js';
import type { RollupCache } from '../rollup/rollup-cache.js';
import type { RuleRuntime } from '../rules/rule-runtime.js';
import type { CollectorStore } from '../store/store.js';
import type { z } from 'zod';

/** Rows handled per statement batch, so one tick never holds the write lock for long. */
const BATCH = 5_000;
/** At most this many batches per tick; the next tick continues. */
const MAX_BATCHES = 40;

export interface MaintenanceResult {
  downsampled: number;
  hoursPruned: number;
  eventsPruned: number;
}

/**
 * The periodic maintenance tick: minute rollups older than the horizon are merged into hourly
 * rows (sketches merged), old hours and raw events are deleted, the rule engine advances with the
 * wall clock when live ingest went quiet and drops idle scopes. "Now" for retention is the
 * older of the wall clock and the newest event time, so replaying old data is not deleted on
 * arrival and a clock far ahead of the data does not empty the store.
 */
export class RollupMaintenance {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: CollectorStore,
    private readonly cache: RollupCache,
    private readonly rules: RuleRuntime,
    private readonly config: z.output<typeof RollupRetentionConfig>,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch (err) {
        this.log(`maintenance failed: ${(err as Error).stack ?? String(err)}`);
      }
    }, this.config.interval);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  tick(): MaintenanceResult {
    const wall = this.clock.now();
    this.rules.tick(wall);
    const ref = Math.min(wall, this.store.maxEventTs() ?? wall);
    const h = this.store.rollupHistory;
    // Whole hours only: a minute row joins its hour once the entire hour is past the horizon.
    const horizon = Math.floor((ref - this.config.minutes) / HOUR_MS) * HOUR_MS;
    this.cache.dropBefore(horizon);
    let downsampled = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = h.downsample(horizon, BATCH);
      downsampled += n;
      if (n < BATCH) break;
    }
    const hoursPruned = h.pruneHours(ref - this.config.hours);
    let eventsPruned = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const n = h.pruneEvents(ref - this.config.events, BATCH);
      eventsPruned += n;
      if (n < BATCH) break;
    }
    this.rules.prune(ref - MINUTE_MS);
    return { downsampled, hoursPruned, eventsPruned };
  }
}

import { minuteFloor } from '../../../shared/clock.js';
import { addToBucket, emptyBucket, type MinuteBucket } from '../../../shared/rollup/bucket.js';
import { seriesKeyString } from '../../../shared/rollup/window.js';
import type { CollectorStore, PricedEvent } from '../store/store.js';

/**
 * Recent minute buckets kept in memory so a batch does not re-read and re-decode its sketches
 * from SQLite. Bounded (oldest-used evicted); every bucket is also fully persisted by each batch,
 * so eviction loses nothing.
 */
export class RollupCache {
  private readonly buckets = new Map<string, MinuteBucket>();
  /** Per series, the newest minute this process has created or loaded a bucket for. */
  private readonly newest = new Map<string, number>();

  constructor(
    private readonly store: CollectorStore,
    private readonly maxBuckets = 4096,
  ) {}

  /** Folds a batch in; returns the touched buckets and, per series, the earliest touched minute. */
  apply(events: readonly PricedEvent[]): { buckets: MinuteBucket[]; touched: Map<string, number> } {
    const touchedBuckets = new Map<string, MinuteBucket>();
    const touched = new Map<string, number>();
    for (const p of events) {
      const e = p.event;
      const key = { service: e.service, provider: e.provider, model: e.model };
      const series = seriesKeyString(key);
      const minute = minuteFloor(e.ts);
      const id = `${series}@${minute}`;
      let b = touchedBuckets.get(id) ?? this.buckets.get(id);
      if (!b) {
        // We are the only writer: a minute newer than any this series has written cannot be stored yet.
        const newest = this.newest.get(series);
        b = (newest !== undefined && minute > newest ? undefined : this.store.loadBucket(key, minute)) ?? emptyBucket(key, minute);
        if (newest === undefined || minute > newest) this.newest.set(series, minute);
      }
      // Re-insert to mark most recently used.
      this.buckets.delete(id);
      this.buckets.set(id, b);
      touchedBuckets.set(id, b);
      addToBucket(b, e, p.costUsd);
      const prev = touched.get(series);
      if (prev === undefined || minute < prev) touched.set(series, minute);
    }
    this.evict();
    return { buckets: [...touchedBuckets.values()], touched };
  }

  /** The batch did not commit: forget the buckets it mutated so the next read comes from SQLite. */
  invalidate(buckets: readonly MinuteBucket[]): void {
    for (const b of buckets) this.buckets.delete(`${seriesKeyString(b)}@${b.minute}`);
  }

  /** Downsampling merged minutes before `minute` into hours: drop them so a late event starts a fresh row. */
  dropBefore(minute: number): void {
    for (const [id, b] of this.buckets) if (b.minute < minute) this.buckets.delete(id);
  }

  size(): number {
    return this.buckets.size;
  }

  private evict(): void {
    for (const id of this.buckets.keys()) {
      if (this.buckets.size <= this.maxBuckets) break;
      this.buckets.delete(id);
    }
  }
}

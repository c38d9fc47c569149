import { minuteFloor } from '../../../shared/clock.js';
import { addToBucket, emptyBucket, type MinuteBucket } from '../../../shared/rollup/bucket.js';
import { seriesKeyString, type SeriesKey } from '../../../shared/rollup/window.js';
import type { CollectorStore, PricedEvent } from '../store/store.js';

/** One series within one batch. */
interface BatchSeries {
  key: SeriesKey;
  series: string;
  minutes: Map<number, MinuteBucket>;
  lastMinute: number;
  last: MinuteBucket | undefined;
  earliest: number;
}

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
    // ~2-4 kB of sketch each: 1,024 is about an hour of a dozen series, where nearly all
    // (live or backfilled) events land; older minutes are read back from SQLite when needed.
    private readonly maxBuckets = 1024,
  ) {}

  /** Folds a batch in; returns the touched buckets and, per series, the earliest touched minute. */
  apply(events: readonly PricedEvent[]): { buckets: MinuteBucket[]; touched: Map<string, number> } {
    // Hot path (every event): series are found through per-batch nested maps keyed by the
    // event's own strings, so no key string is built per event, and the LRU is touched once per
    // bucket per batch rather than once per event.
    const batch = new Map<string, Map<string, Map<string, BatchSeries>>>();
    const buckets: MinuteBucket[] = [];
    for (let i = 0; i < events.length; i++) {
      const p = events[i] as PricedEvent;
      const e = p.event;
      let byProvider = batch.get(e.service);
      if (!byProvider) batch.set(e.service, (byProvider = new Map()));
      let byModel = byProvider.get(e.provider);
      if (!byModel) byProvider.set(e.provider, (byModel = new Map()));
      let s = byModel.get(e.model);
      if (!s) {
        const key = { service: e.service, provider: e.provider, model: e.model };
        s = {
          key,
          series: seriesKeyString(key),
          minutes: new Map(),
          lastMinute: NaN,
          last: undefined,
          earliest: Infinity,
        };
        byModel.set(e.model, s);
      }
      const minute = minuteFloor(e.ts);
      let b = s.lastMinute === minute ? s.last : s.minutes.get(minute);
      if (!b) {
        b = this.resolve(s.key, s.series, minute);
        s.minutes.set(minute, b);
        buckets.push(b);
        if (minute < s.earliest) s.earliest = minute;
      }
      s.lastMinute = minute;
      s.last = b;
      addToBucket(b, e, p.costUsd);
    }
    const touched = new Map<string, number>();
    for (const byProvider of batch.values())
      for (const byModel of byProvider.values()) for (const s of byModel.values()) touched.set(s.series, s.earliest);
    this.evict();
    return { buckets, touched };
  }

  /** The cached bucket, else the stored row, else a new one; marked most recently used. */
  private resolve(key: SeriesKey, series: string, minute: number): MinuteBucket {
    const id = `${series}@${minute}`;
    let b = this.buckets.get(id);
    if (!b) {
      // We are the only writer: a minute newer than any this series has written cannot be stored yet.
      const newest = this.newest.get(series);
      b =
        (newest !== undefined && minute > newest ? undefined : this.store.loadBucket(key, minute)) ??
        emptyBucket(key, minute);
      if (newest === undefined || minute > newest) this.newest.set(series, minute);
    }
    // Re-insert to mark most recently used.
    this.buckets.delete(id);
    this.buckets.set(id, b);
    return b;
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

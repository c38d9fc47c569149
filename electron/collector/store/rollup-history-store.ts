import type Database from 'better-sqlite3';
import { HOUR_MS } from '../../../shared/clock.js';
import { addAgg } from '../../../shared/rollup/agg.js';
import { emptyBucket, type MinuteBucket } from '../../../shared/rollup/bucket.js';
import { decodeSketch, encodeSketch, mergeEncodedSketch } from '../../../shared/rollup/sketch-codec.js';
import type { Agg } from '../../../shared/rollup/agg.js';
import type { SeriesKey } from '../../../shared/rollup/window.js';

/** An hourly rollup row: the same shape as a minute bucket, keyed by the hour's start. */
export type HourBucket = Omit<MinuteBucket, 'minute'> & { hour: number };

export interface ErrorSignatureRow {
  signature: string;
  sample: string;
  service: string;
  provider: string;
  model: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
}

/**
 * Rollup history for the rule engine and maintenance (migration 0003): reading minute and hour
 * rows back, downsampling minutes into hours, retention, the error-signature memory and the
 * rule engine's cursor. Same connection as the main store.
 */
export interface RollupHistoryStore {
  /** Minute buckets with fromMinute <= minute <= toMinute, oldest first. */
  bucketsBetween(fromMinute: number, toMinute: number): MinuteBucket[];
  /** Hourly rows with fromHour <= hour <= toHour, oldest first. */
  hoursBetween(fromHour: number, toHour: number): HourBucket[];
  /** First minute each series ever had data (minute and hourly tables). */
  seriesFirstSeen(): { key: SeriesKey; firstSeen: number }[];
  /** Merges up to `limit` minute rows older than `beforeMinute` into their hourly rows; returns how many. */
  downsample(beforeMinute: number, limit: number): number;
  pruneHours(beforeHour: number): number;
  /**
   * Deletes raw events with ts < beforeTs, batch rows (migration 0006) at a time until about
   * `limit` are gone (a batch straddling the cutoff is rewritten without its old events);
   * returns how many events were deleted.
   */
  pruneEvents(beforeTs: number, limit: number): number;
  loadSignatures(sinceLastSeen: number): ErrorSignatureRow[];
  upsertSignatures(rows: readonly ErrorSignatureRow[]): void;
  pruneSignatures(beforeLastSeen: number): number;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
}

/** A rollup row's columns as SQLite returns them (minute and hourly tables alike). */
export interface RollupColumns {
  service: string;
  provider: string;
  model: string;
  count: number;
  errors: number;
  error_types: string;
  latency_sketch: Buffer;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  unpriced: number;
  output_labels: string;
  retrieval_hits: number;
  retrieval_misses: number;
  feedback_up: number;
  feedback_down: number;
}

/** A rollup row as a bucket (without its time, which the two tables name differently). */
export function rollupFromRow(r: RollupColumns): Omit<MinuteBucket, 'minute'> {
  return {
    service: r.service,
    provider: r.provider,
    model: r.model,
    ...aggFromRow(r),
    latency: decodeSketch(r.latency_sketch.toString('utf8')),
  };
}

/** A rollup row's additive part (what `addAgg` reads), without decoding its sketch. */
function aggFromRow(r: RollupColumns): Agg {
  return {
    count: r.count,
    errors: r.errors,
    errorTypes: JSON.parse(r.error_types) as Record<string, number>,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    costUsd: r.cost_usd,
    unpriced: r.unpriced,
    outputLabels: JSON.parse(r.output_labels) as Record<string, number>,
    retrievalHits: r.retrieval_hits,
    retrievalMisses: r.retrieval_misses,
    feedbackUp: r.feedback_up,
    feedbackDown: r.feedback_down,
  };
}

/** A bucket as the rollup tables' row, in their column order, starting with its minute or hour. */
export function rollupParams(b: Omit<MinuteBucket, 'minute'>, time: number): unknown[] {
  return [
    time,
    b.service,
    b.provider,
    b.model,
    b.count,
    b.errors,
    JSON.stringify(b.errorTypes),
    Buffer.from(encodeSketch(b.latency), 'utf8'),
    b.tokensIn,
    b.tokensOut,
    b.costUsd,
    b.unpriced,
    JSON.stringify(b.outputLabels),
    b.retrievalHits,
    b.retrievalMisses,
    b.feedbackUp,
    b.feedbackDown,
  ];
}

export function createRollupHistoryStore(db: Database.Database): RollupHistoryStore {
  const s = {
    minutes: db.prepare('SELECT * FROM rollups WHERE minute BETWEEN ? AND ? ORDER BY minute'),
    hours: db.prepare('SELECT * FROM rollups_hourly WHERE hour BETWEEN ? AND ? ORDER BY hour'),
    firstSeen: db.prepare(
      `SELECT service, provider, model, MIN(t) AS first FROM (
         SELECT service, provider, model, MIN(minute) AS t FROM rollups GROUP BY service, provider, model
         UNION ALL
         SELECT service, provider, model, MIN(hour) AS t FROM rollups_hourly GROUP BY service, provider, model
       ) GROUP BY service, provider, model`,
    ),
    oldMinutes: db.prepare('SELECT * FROM rollups WHERE minute < ? ORDER BY minute LIMIT ?'),
    getHour: db.prepare('SELECT * FROM rollups_hourly WHERE service = ? AND provider = ? AND model = ? AND hour = ?'),
    putHour: db.prepare(
      `INSERT OR REPLACE INTO rollups_hourly (hour, service, provider, model, count, errors, error_types, latency_sketch,
         tokens_in, tokens_out, cost_usd, unpriced, output_labels, retrieval_hits, retrieval_misses, feedback_up, feedback_down)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    delMinute: db.prepare('DELETE FROM rollups WHERE service = ? AND provider = ? AND model = ? AND minute = ?'),
    delMinutesBefore: db.prepare('DELETE FROM rollups WHERE minute < ?'),
    pruneHours: db.prepare('DELETE FROM rollups_hourly WHERE hour < ?'),
    oldBatches: db.prepare('SELECT id, count, max_ts FROM event_batches WHERE min_ts < ? ORDER BY min_ts LIMIT ?'),
    delBatch: db.prepare('DELETE FROM event_batches WHERE id = ?'),
    // Keeps the young rows of a batch that straddles the cutoff (json_each walks them in order).
    trimBatch: db.prepare(
      `UPDATE event_batches SET rows = (SELECT json_group_array(json(r.value)) FROM json_each(event_batches.rows) AS r WHERE r.value ->> 0 >= ?)
       WHERE id = ?`,
    ),
    recount: db.prepare(
      `UPDATE event_batches SET count = json_array_length(rows), min_ts = (SELECT MIN(r.value ->> 0) FROM json_each(event_batches.rows) AS r)
       WHERE id = ? RETURNING count`,
    ),
    loadSigs: db.prepare('SELECT * FROM error_signatures WHERE last_seen >= ?'),
    putSig: db.prepare(
      `INSERT OR REPLACE INTO error_signatures (signature, sample, service, provider, model, first_seen, last_seen, count)
       VALUES (@signature, @sample, @service, @provider, @model, @firstSeen, @lastSeen, @count)`,
    ),
    pruneSigs: db.prepare('DELETE FROM error_signatures WHERE last_seen < ?'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
  };

  const downsampleTx = db.transaction((beforeMinute: number, limit: number): number => {
    const rows = s.oldMinutes.all(beforeMinute, limit) as (RollupColumns & { minute: number })[];
    const hours = new Map<string, HourBucket>();
    for (const r of rows) {
      const hour = Math.floor(r.minute / HOUR_MS) * HOUR_MS;
      const id = JSON.stringify([r.service, r.provider, r.model, hour]);
      let h = hours.get(id);
      if (!h) {
        const existing = s.getHour.get(r.service, r.provider, r.model, hour) as RollupColumns | undefined;
        const { minute: _m, ...empty } = emptyBucket(
          { service: r.service, provider: r.provider, model: r.model },
          hour,
        );
        h = { ...(existing ? rollupFromRow(existing) : empty), hour };
        hours.set(id, h);
      }
      addAgg(h, aggFromRow(r));
      mergeEncodedSketch(h.latency, r.latency_sketch.toString('utf8'));
    }
    // A short batch read every row older than the horizon: one range delete (the index) instead
    // of a delete per row. A full batch may stop inside a minute: its rows go one by one.
    if (rows.length < limit) s.delMinutesBefore.run(beforeMinute);
    else for (const r of rows) s.delMinute.run(r.service, r.provider, r.model, r.minute);
    for (const h of hours.values()) s.putHour.run(...rollupParams(h, h.hour));
    return rows.length;
  });

  const pruneEventsTx = db.transaction((before: number, limit: number): number => {
    let deleted = 0;
    // At most `limit` batch rows per call (a batch holds at least one event).
    const rows = s.oldBatches.all(before, limit) as { id: number; count: number; max_ts: number }[];
    for (const b of rows) {
      if (deleted >= limit) break;
      if (b.max_ts < before) {
        s.delBatch.run(b.id);
        deleted += b.count;
        continue;
      }
      s.trimBatch.run(before, b.id);
      deleted += b.count - (s.recount.get(b.id) as { count: number }).count;
    }
    return deleted;
  });

  return {
    bucketsBetween: (from, to) =>
      (s.minutes.all(from, to) as (RollupColumns & { minute: number })[]).map((r) => ({
        ...rollupFromRow(r),
        minute: r.minute,
      })),
    hoursBetween: (from, to) =>
      (s.hours.all(from, to) as (RollupColumns & { hour: number })[]).map((r) => ({
        ...rollupFromRow(r),
        hour: r.hour,
      })),
    seriesFirstSeen: () =>
      (s.firstSeen.all() as { service: string; provider: string; model: string; first: number }[]).map((r) => ({
        key: { service: r.service, provider: r.provider, model: r.model },
        firstSeen: r.first,
      })),
    downsample: (before, limit) => downsampleTx(before, limit),
    pruneHours: (before) => s.pruneHours.run(before).changes,
    pruneEvents: (before, limit) => pruneEventsTx(before, limit),
    loadSignatures: (since) =>
      (
        s.loadSigs.all(since) as {
          signature: string;
          sample: string;
          service: string;
          provider: string;
          model: string;
          first_seen: number;
          last_seen: number;
          count: number;
        }[]
      ).map((r) => ({
        signature: r.signature,
        sample: r.sample,
        service: r.service,
        provider: r.provider,
        model: r.model,
        firstSeen: r.first_seen,
        lastSeen: r.last_seen,
        count: r.count,
      })),
    upsertSignatures: db.transaction((rows: readonly ErrorSignatureRow[]) => {
      for (const r of rows) s.putSig.run(r);
    }),
    pruneSignatures: (before) => s.pruneSigs.run(before).changes,
    getMeta: (key) => (s.getMeta.get(key) as { value: string } | undefined)?.value,
    setMeta: (key, value) => void s.setMeta.run(key, value),
  };
}

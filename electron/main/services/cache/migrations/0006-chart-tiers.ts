import type Database from 'better-sqlite3';

/**
 * Chart rollups in tiers, so a chart reads at most a few hundred buckets per series:
 * `tier` 60000 holds the collector's minutes, 300000 and 3600000 are merged from them at sync
 * (3600000 also holds the collector's hours beyond the minute window). The numbers a chart sums
 * sit in `chart_buckets`, narrow enough that scanning a month of them is cheap; the latency
 * sketches (shared/series/dense-sketch.ts blobs: no JSON to parse) sit beside them in
 * `chart_sketches`, read only for latency charts. The 0004 table's text sketches are not
 * converted: the chart cache is a replica, so its sync state is reset and the next sync (under a
 * second for a day of data) fills it again.
 */
export const migration0006 = {
  version: 6,
  name: 'chart-tiers',
  up(db: Database.Database): void {
    db.exec(`
      DROP TABLE chart_rollups;
      CREATE TABLE chart_buckets (
        tier INTEGER NOT NULL,           -- bucket length in ms: 60000, 300000 or 3600000
        t INTEGER NOT NULL,              -- bucket start, epoch ms
        service TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        count INTEGER NOT NULL,
        errors INTEGER NOT NULL,
        tokens_in INTEGER NOT NULL,
        tokens_out INTEGER NOT NULL,
        cost_usd REAL NOT NULL,
        unpriced INTEGER NOT NULL,
        retrieval_hits INTEGER NOT NULL,
        retrieval_misses INTEGER NOT NULL,
        feedback_up INTEGER NOT NULL,
        feedback_down INTEGER NOT NULL,
        output_labels TEXT,              -- JSON {label: count}; NULL when there are none
        PRIMARY KEY (tier, t, service, provider, model)
      ) WITHOUT ROWID;
      CREATE TABLE chart_sketches (
        tier INTEGER NOT NULL,
        t INTEGER NOT NULL,
        service TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        sketch BLOB NOT NULL,
        PRIMARY KEY (tier, t, service, provider, model)
      ) WITHOUT ROWID;

      -- Hours before this were compacted: they are the collector's hours (plus late minutes merged
      -- in), no longer recomputed from minutes. NULL = never compacted.
      ALTER TABLE chart_sync ADD COLUMN compacted_before INTEGER;
      UPDATE chart_sync SET synced_to = NULL, synced_at = NULL;
    `);
  },
};

import type Database from 'better-sqlite3';

/**
 * Chart rollups in tiers, so a chart reads at most a few hundred buckets per series:
 * `tier` 60000 holds the collector's minutes, 300000 and 3600000 are merged from them at sync
 * (3600000 also holds the collector's hours beyond the minute window). Latency sketches are
 * shared/series/dense-sketch.ts blobs: no JSON to parse when a chart merges them. The 0004
 * table's text sketches are not converted: the chart cache is a replica, so its sync state is reset and the next sync (under a
 * second for a day of data) fills it again.
 */
export const migration0006 = {
  version: 6,
  name: 'chart-tiers',
  up(db: Database.Database): void {
    db.exec(`
      DROP TABLE chart_rollups;
      -- (service, provider, model) as a small integer: keys and rows stay short, inserts cheap.
      CREATE TABLE chart_keys (
        id INTEGER PRIMARY KEY,
        service TEXT NOT NULL,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        UNIQUE (service, provider, model)
      );
      CREATE TABLE chart_buckets (
        tier INTEGER NOT NULL,           -- bucket length in ms: 60000, 300000 or 3600000
        t INTEGER NOT NULL,              -- bucket start, epoch ms
        key_id INTEGER NOT NULL REFERENCES chart_keys (id),
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
        sketch BLOB NOT NULL,            -- last: scans of the sums above stop before it
        PRIMARY KEY (tier, t, key_id)
      ) WITHOUT ROWID;

      -- Hours before this were compacted: they are the collector's hours (plus late minutes merged
      -- in), no longer recomputed from minutes. NULL = never compacted.
      ALTER TABLE chart_sync ADD COLUMN compacted_before INTEGER;
      UPDATE chart_sync SET synced_to = NULL, synced_at = NULL;
    `);
  },
};

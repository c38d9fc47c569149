import type { Migration } from './migration.js';

/**
 * Issue 4, rules half: hourly rollups (minute rows older than the horizon are merged into these,
 * sketches merged) and the error-signature memory the novel-error rule needs.
 */
export const m0003RollupHistory: Migration = {
  version: 3,
  name: 'rollup-history',
  up: `
    CREATE TABLE rollups_hourly (
      hour INTEGER NOT NULL,
      service TEXT NOT NULL,
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      count INTEGER NOT NULL,
      errors INTEGER NOT NULL,
      error_types TEXT NOT NULL,
      latency_sketch BLOB NOT NULL,
      tokens_in INTEGER NOT NULL,
      tokens_out INTEGER NOT NULL,
      cost_usd REAL NOT NULL,
      unpriced INTEGER NOT NULL,
      output_labels TEXT NOT NULL,
      retrieval_hits INTEGER NOT NULL,
      retrieval_misses INTEGER NOT NULL,
      feedback_up INTEGER NOT NULL,
      feedback_down INTEGER NOT NULL,
      PRIMARY KEY (service, provider, model, hour)
    ) WITHOUT ROWID;
    CREATE INDEX rollups_hourly_hour ON rollups_hourly(hour);

    CREATE TABLE error_signatures (
      signature TEXT PRIMARY KEY,   -- error_type + normalised message
      sample TEXT NOT NULL,         -- one raw message, for the summary
      service TEXT NOT NULL,        -- where it was first seen
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      first_seen INTEGER NOT NULL,  -- event time, epoch ms
      last_seen INTEGER NOT NULL,
      count INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX error_signatures_last_seen ON error_signatures(last_seen);
  `,
};

import type { Migration } from './migration.js';

/**
 * Raw events, one row per ingested batch (issue 4, performance): a row per event cost ~6 µs of
 * B-tree and index work, more than everything else on the ingest path together. Nothing in the
 * collector reads events one by one (rules, series and novel-error signatures read the rollups
 * and error_signatures), so a batch is stored as JSON — a dictionary of its series and compact
 * rows (layout in `encodeEventBatch`, sqlite-store.ts) — with its count and event-time range for
 * stats and retention. `events` becomes a view with the 0001 columns, for ad-hoc queries and tests.
 */
export const m0006EventBatches: Migration = {
  version: 6,
  name: 'event-batches',
  up: `
    CREATE TABLE event_batches (
      id INTEGER PRIMARY KEY,
      received_at INTEGER NOT NULL,
      min_ts INTEGER NOT NULL,
      max_ts INTEGER NOT NULL,
      count INTEGER NOT NULL,
      series TEXT NOT NULL, -- JSON [[service, provider, model], ...]
      rows TEXT NOT NULL    -- JSON [[ts, series index, latency_ms, input_tokens, output_tokens, cost_usd, unpriced,
                            --        status, error_type, error_message, output_label, retrieval_hit, feedback], ...]
    );
    CREATE INDEX event_batches_min_ts ON event_batches(min_ts);

    -- Existing rows move over by thousand-id chunk and series, so each batch row has a one-entry dictionary.
    INSERT INTO event_batches (received_at, min_ts, max_ts, count, series, rows)
      SELECT MIN(received_at), MIN(ts), MAX(ts), COUNT(*), json_array(json_array(service, provider, model)),
        json_group_array(json_array(ts, 0, latency_ms, input_tokens, output_tokens,
          cost_usd, unpriced, status, error_type, error_message, output_label, retrieval_hit, feedback) ORDER BY id)
      FROM events
      GROUP BY (id - 1) / 1000, service, provider, model
      ORDER BY MIN(id);
    DROP TABLE events;

    CREATE VIEW events AS
      SELECT
        b.id AS batch_id,
        r.value ->> 0 AS ts,
        b.received_at AS received_at,
        b.series -> (r.value ->> 1) ->> 0 AS service,
        b.series -> (r.value ->> 1) ->> 1 AS provider,
        b.series -> (r.value ->> 1) ->> 2 AS model,
        r.value ->> 2 AS latency_ms,
        r.value ->> 3 AS input_tokens,
        r.value ->> 4 AS output_tokens,
        r.value ->> 5 AS cost_usd,
        r.value ->> 6 AS unpriced,
        r.value ->> 7 AS status,
        r.value ->> 8 AS error_type,
        r.value ->> 9 AS error_message,
        r.value ->> 10 AS output_label,
        r.value ->> 11 AS retrieval_hit,
        r.value ->> 12 AS feedback
      FROM event_batches AS b, json_each(b.rows) AS r;
  `,
};

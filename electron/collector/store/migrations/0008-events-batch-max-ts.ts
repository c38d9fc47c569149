import type { Migration } from './migration.js';

/**
 * Runbook queries over the `events` view ("errors in the last 30 min") expanded every stored
 * batch's JSON, however old: seconds on a week of data, while someone is being paged. The view
 * now carries its batch's newest event time (`batch_max_ts`), indexed, so a query that adds
 * `batch_max_ts > <bound>` next to `ts > <bound>` reads only the batches that can hold a match.
 * One index entry per batch of up to thousands of events: nothing measurable on ingest.
 */
export const m0008EventsBatchMaxTs: Migration = {
  version: 8,
  name: 'events-batch-max-ts',
  up: `
    CREATE INDEX event_batches_max_ts ON event_batches(max_ts);
    DROP VIEW events;
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
        r.value ->> 12 AS feedback,
        b.max_ts AS batch_max_ts
      FROM event_batches AS b, json_each(b.rows) AS r;
  `,
};

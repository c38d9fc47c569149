import Database from 'better-sqlite3';
import { DAY_MS } from '../../../shared/clock.js';
import { OTHER_LABEL_VALUE, type LabelSeed } from './label-cap.js';

/**
 * How far back the stored rollups are read for the label values a restart keeps. Values not
 * seen for this long give their slot back at the next start (so a one-off burst of junk names
 * does not hold the cap forever), while everything in current use keeps its series.
 */
export const LABEL_SEED_LOOKBACK_MS = 7 * DAY_MS;

const KEY_COLUMNS = ['service', 'provider', 'model'] as const;

/**
 * The label values a restarted collector keeps tracking: per label, the `max` values with the
 * most requests in the minute and hourly rollups since `now - LABEL_SEED_LOOKBACK_MS` (`other`
 * excluded). Rollups are written in the same transaction as the events that admitted a value,
 * so this is the set the previous run tracked (or its busiest part, if the cap was lowered).
 * Reads on its own read-only connection, bounded by `max` rows per label; `file` must be migrated.
 */
export function loadLabelSeed(file: string, max: number, now: number): LabelSeed {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const since = now - LABEL_SEED_LOOKBACK_MS;
    const params = { since, other: OTHER_LABEL_VALUE, max };
    const top = (sql: string): string[] => db.prepare(sql).pluck().all(params) as string[];
    const seed: LabelSeed = {};
    for (const col of KEY_COLUMNS) {
      // `col` is one of three fixed column names, never input.
      seed[col] = top(
        `SELECT v FROM (
           SELECT ${col} AS v, count AS n FROM rollups WHERE minute >= @since
           UNION ALL SELECT ${col} AS v, count AS n FROM rollups_hourly WHERE hour >= @since
         ) WHERE v != @other GROUP BY v ORDER BY SUM(n) DESC, v LIMIT @max`,
      );
    }
    seed.output_label = top(
      `SELECT v FROM (
         SELECT j.key AS v, j.value AS n FROM rollups AS r, json_each(r.output_labels) AS j WHERE r.minute >= @since
         UNION ALL SELECT j.key AS v, j.value AS n FROM rollups_hourly AS r, json_each(r.output_labels) AS j WHERE r.hour >= @since
       ) WHERE v != @other GROUP BY v ORDER BY SUM(n) DESC, v LIMIT @max`,
    );
    return seed;
  } finally {
    db.close();
  }
}

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
 * Meta key holding the tracked output labels (a JSON array). They live inside each rollup row's
 * output_labels JSON, stored after the latency sketch: reading them back from a week of rows
 * means walking every sketch's overflow pages (seconds at start), so they are kept here instead.
 */
export const OUTPUT_LABELS_META = 'label_values:output_label';

/**
 * The label values a restarted collector keeps tracking. service, provider, model: per label,
 * the `max` values with the most requests in the minute and hourly rollups since
 * `now - LABEL_SEED_LOOKBACK_MS` (`other` excluded); rollups are written in the same
 * transaction as the events that admitted a value, so this is the set the previous run tracked
 * (or its busiest part, if the cap was lowered). output_label: the list saved under
 * OUTPUT_LABELS_META. Reads on its own read-only connection, at most `max` values per label;
 * `file` must be migrated.
 */
export function loadLabelSeed(file: string, max: number, now: number): LabelSeed {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    const params = { since: now - LABEL_SEED_LOOKBACK_MS };
    const volume = {
      service: new Map<string, number>(),
      provider: new Map<string, number>(),
      model: new Map<string, number>(),
    };
    // One pass per table over the window's series, grouped in primary-key order (a table scan
    // that reads no sketch: key columns and `count` precede it in each row). Not one UNION:
    // that makes SQLite reach every row through the time index, seconds on a cold cache.
    for (const [table, time] of [
      ['rollups', 'minute'],
      ['rollups_hourly', 'hour'],
    ] as const) {
      const rows = db
        .prepare(
          `SELECT service, provider, model, SUM(count) AS n FROM ${table} WHERE ${time} >= @since
           GROUP BY service, provider, model`,
        )
        .iterate(params) as IterableIterator<{ service: string; provider: string; model: string; n: number }>;
      for (const r of rows) {
        for (const col of KEY_COLUMNS) {
          const v = r[col];
          if (v !== OTHER_LABEL_VALUE) volume[col].set(v, (volume[col].get(v) ?? 0) + r.n);
        }
      }
    }
    const seed: LabelSeed = {};
    for (const col of KEY_COLUMNS) seed[col] = busiest(volume[col], max);
    const saved = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(OUTPUT_LABELS_META);
    seed.output_label = parseValues(saved).slice(0, max);
    return seed;
  } finally {
    db.close();
  }
}

/** The `max` values with the most requests (ties: the smaller value, so restarts agree). */
function busiest(volume: ReadonlyMap<string, number>, max: number): string[] {
  return [...volume]
    .sort(([va, a], [vb, b]) => b - a || (va < vb ? -1 : va > vb ? 1 : 0))
    .slice(0, max)
    .map(([v]) => v);
}

/** A saved value list; anything else (absent, corrupt) is an empty list, never a failed start. */
function parseValues(text: unknown): string[] {
  if (typeof text !== 'string') return [];
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

import type Database from 'better-sqlite3';
import { decodeDenseBlob, encodeDenseBlob } from '../../../../shared/series/dense-sketch.js';
import type { Bucket } from '../../../../shared/series/buckets.js';
import type { SketchRow } from '../../../../shared/series/latency-series.js';
import type { RollupRow } from '../../../../shared/protocol/series.js';

/** The tiers of cache migration 0006: bucket length in ms. */
export const TIER_1M = 60_000;
export const TIER_5M = 300_000;
export const TIER_1H = 3_600_000;
export const TIERS = [TIER_1M, TIER_5M, TIER_1H] as const;

export interface ScalarRow {
  t: number;
  service: string;
  provider: string;
  model: string;
  count: number;
  errors: number;
  tokens_in: number;
  tokens_out: number;
  cost_usd: number;
  unpriced: number;
  retrieval_hits: number;
  retrieval_misses: number;
  feedback_up: number;
  feedback_down: number;
  output_labels: string | null;
}

interface FullRow extends ScalarRow {
  sketch: Buffer;
}

export interface RangeFilter {
  tier: number;
  from: number;
  to: number;
  service: string | null;
  provider: string | null;
  model: string | null;
}

const SCALARS = `t, service, provider, model, count, errors, tokens_in, tokens_out, cost_usd, unpriced,
  retrieval_hits, retrieval_misses, feedback_up, feedback_down`;
// `@x IS NULL OR col = @x`: one prepared statement serves every filter combination.
const FILTER = `tier = @tier AND t >= @from AND t < @to
  AND (@service IS NULL OR service = @service)
  AND (@provider IS NULL OR provider = @provider)
  AND (@model IS NULL OR model = @model)`;

function labelsOf(json: string | null): Record<string, number> {
  return json === null ? {} : (JSON.parse(json) as Record<string, number>);
}

/** A scalar row as a rollup row without a sketch: what `rollupSeries` sums. */
export function scalarToRollup(r: ScalarRow): RollupRow {
  return {
    t: r.t,
    service: r.service,
    provider: r.provider,
    model: r.model,
    count: r.count,
    errors: r.errors,
    tokensIn: r.tokens_in,
    tokensOut: r.tokens_out,
    costUsd: r.cost_usd,
    unpriced: r.unpriced,
    retrievalHits: r.retrieval_hits,
    retrievalMisses: r.retrieval_misses,
    feedbackUp: r.feedback_up,
    feedbackDown: r.feedback_down,
    outputLabels: labelsOf(r.output_labels),
    latency: '',
  };
}

function toBucket(r: FullRow): Bucket {
  const { latency: _none, ...rest } = scalarToRollup(r);
  return { ...rest, sketch: decodeDenseBlob(r.sketch) };
}

/** Prepared statements over chart_buckets / chart_sketches. Callers own the transactions. */
export function chartTables(db: Database.Database) {
  const s = {
    putBucket: db.prepare(`INSERT OR REPLACE INTO chart_buckets (tier, ${SCALARS}, output_labels)
      VALUES (@tier, @t, @service, @provider, @model, @count, @errors, @tokensIn, @tokensOut, @costUsd, @unpriced,
        @retrievalHits, @retrievalMisses, @feedbackUp, @feedbackDown, @outputLabels)`),
    putSketch: db.prepare('INSERT OR REPLACE INTO chart_sketches (tier, t, service, provider, model, sketch) VALUES (?, ?, ?, ?, ?, ?)'),
    full: db.prepare(`SELECT ${SCALARS.replaceAll(/(^|, |\n {2})(\w)/g, '$1b.$2')}, b.output_labels, s.sketch
      FROM chart_buckets b JOIN chart_sketches s USING (tier, t, service, provider, model)
      WHERE b.tier = ? AND b.t >= ? AND b.t < ?`),
    scalars: db.prepare(`SELECT ${SCALARS}, NULL AS output_labels FROM chart_buckets WHERE ${FILTER}`),
    withLabels: db.prepare(`SELECT ${SCALARS}, output_labels FROM chart_buckets WHERE ${FILTER}`),
    sketches: db.prepare(`SELECT t, service, provider, model, sketch FROM chart_sketches WHERE ${FILTER}`),
    countBuckets: db.prepare('SELECT COUNT(*) AS n FROM chart_buckets WHERE tier = ? AND t >= ? AND t < ?'),
    deleteBuckets: db.prepare('DELETE FROM chart_buckets WHERE tier = ? AND t < ?'),
    deleteSketches: db.prepare('DELETE FROM chart_sketches WHERE tier = ? AND t < ?'),
    keys: db.prepare(`SELECT DISTINCT service, provider, model FROM chart_buckets WHERE tier = ${TIER_1H} ORDER BY service, provider, model`),
  };
  return {
    put(tier: number, b: Bucket): void {
      const labels = Object.keys(b.outputLabels).length > 0 ? JSON.stringify(b.outputLabels) : null;
      s.putBucket.run({ ...b, tier, outputLabels: labels });
      s.putSketch.run(tier, b.t, b.service, b.provider, b.model, encodeDenseBlob(b.sketch));
    },
    /** Whole buckets (sketches decoded) of one tier with `from <= t < to`, every key. */
    read(tier: number, from: number, to: number): Bucket[] {
      return (s.full.all(tier, from, to) as FullRow[]).map(toBucket);
    },
    scalars(f: RangeFilter, labels: boolean): IterableIterator<ScalarRow> {
      return (labels ? s.withLabels : s.scalars).iterate(f) as IterableIterator<ScalarRow>;
    },
    *sketches(f: RangeFilter): IterableIterator<SketchRow> {
      for (const r of s.sketches.iterate(f) as IterableIterator<{ t: number; service: string; provider: string; model: string; sketch: Buffer }>) {
        yield { t: r.t, service: r.service, provider: r.provider, model: r.model, sketch: decodeDenseBlob(r.sketch) };
      }
    },
    count(tier: number, from: number, to: number): number {
      return (s.countBuckets.get(tier, from, to) as { n: number }).n;
    },
    /** Deletes one tier's buckets before `t`; returns how many. */
    deleteBefore(tier: number, t: number): number {
      s.deleteSketches.run(tier, t);
      return s.deleteBuckets.run(tier, t).changes;
    },
    keys(): { service: string; provider: string; model: string }[] {
      return s.keys.all() as { service: string; provider: string; model: string }[];
    },
  };
}

export type ChartTables = ReturnType<typeof chartTables>;

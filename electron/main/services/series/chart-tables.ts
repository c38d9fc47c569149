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

const SUMS = `count, errors, tokens_in, tokens_out, cost_usd, unpriced, retrieval_hits, retrieval_misses, feedback_up, feedback_down`;
const FROM = `FROM chart_buckets b JOIN chart_keys k ON k.id = b.key_id`;
// `@x IS NULL OR col = @x`: one prepared statement serves every filter combination.
const FILTER = `b.tier = @tier AND b.t >= @from AND b.t < @to
  AND (@service IS NULL OR k.service = @service)
  AND (@provider IS NULL OR k.provider = @provider)
  AND (@model IS NULL OR k.model = @model)`;

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

/** Prepared statements over chart_keys / chart_buckets. Callers own the transactions. */
export function chartTables(db: Database.Database) {
  const s = {
    putBucket: db.prepare(`INSERT OR REPLACE INTO chart_buckets (tier, t, key_id, ${SUMS}, output_labels, sketch)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    addKey: db.prepare('INSERT OR IGNORE INTO chart_keys (service, provider, model) VALUES (?, ?, ?)'),
    keyId: db.prepare('SELECT id FROM chart_keys WHERE service = ? AND provider = ? AND model = ?'),
    full: db.prepare(`SELECT b.t, k.service, k.provider, k.model, ${SUMS}, output_labels, sketch ${FROM}
      WHERE b.tier = ? AND b.t >= ? AND b.t < ?`),
    scalars: db.prepare(
      `SELECT b.t, k.service, k.provider, k.model, ${SUMS}, NULL AS output_labels ${FROM} WHERE ${FILTER}`,
    ),
    withLabels: db.prepare(
      `SELECT b.t, k.service, k.provider, k.model, ${SUMS}, output_labels ${FROM} WHERE ${FILTER}`,
    ),
    sketches: db.prepare(`SELECT b.t, k.service, k.provider, k.model, sketch ${FROM} WHERE ${FILTER}`),
    countBuckets: db.prepare('SELECT COUNT(*) AS n FROM chart_buckets WHERE tier = ? AND t >= ? AND t < ?'),
    deleteBuckets: db.prepare('DELETE FROM chart_buckets WHERE tier = ? AND t < ?'),
    pruneKeys: db.prepare('DELETE FROM chart_keys WHERE id NOT IN (SELECT DISTINCT key_id FROM chart_buckets)'),
    keys: db.prepare('SELECT service, provider, model FROM chart_keys ORDER BY service, provider, model'),
  };
  /** Key ids by `service\0provider\0model`; ids never change while a key has rows. */
  const ids = new Map<string, number>();
  const keyId = (b: Bucket): number => {
    const k = `${b.service}\0${b.provider}\0${b.model}`;
    let id = ids.get(k);
    if (id === undefined) {
      s.addKey.run(b.service, b.provider, b.model);
      id = (s.keyId.get(b.service, b.provider, b.model) as { id: number }).id;
      ids.set(k, id);
    }
    return id;
  };
  return {
    put(tier: number, b: Bucket): void {
      const labels = Object.keys(b.outputLabels).length > 0 ? JSON.stringify(b.outputLabels) : null;
      s.putBucket.run(
        tier,
        b.t,
        keyId(b),
        b.count,
        b.errors,
        b.tokensIn,
        b.tokensOut,
        b.costUsd,
        b.unpriced,
        b.retrievalHits,
        b.retrievalMisses,
        b.feedbackUp,
        b.feedbackDown,
        labels,
        encodeDenseBlob(b.sketch),
      );
    },
    /** Whole buckets (sketches decoded) of one tier with `from <= t < to`, every key. */
    read(tier: number, from: number, to: number): Bucket[] {
      return (s.full.all(tier, from, to) as FullRow[]).map(toBucket);
    },
    scalars(f: RangeFilter, labels: boolean): IterableIterator<ScalarRow> {
      return (labels ? s.withLabels : s.scalars).iterate(f) as IterableIterator<ScalarRow>;
    },
    *sketches(f: RangeFilter): IterableIterator<SketchRow> {
      for (const r of s.sketches.iterate(f) as IterableIterator<{
        t: number;
        service: string;
        provider: string;
        model: string;
        sketch: Buffer;
      }>) {
        yield { t: r.t, service: r.service, provider: r.provider, model: r.model, sketch: decodeDenseBlob(r.sketch) };
      }
    },
    count(tier: number, from: number, to: number): number {
      return (s.countBuckets.get(tier, from, to) as { n: number }).n;
    },
    /** Deletes one tier's buckets before `t`; returns how many. */
    deleteBefore(tier: number, t: number): number {
      return s.deleteBuckets.run(tier, t).changes;
    },
    forgetKeyIds(): void {
      ids.clear();
    },
    /** Forgets keys without rows (after retention dropped their last hour). */
    pruneKeys(): void {
      if (s.pruneKeys.run().changes > 0) ids.clear();
    },
    keys(): { service: string; provider: string; model: string }[] {
      return s.keys.all() as { service: string; provider: string; model: string }[];
    },
  };
}

export type ChartTables = ReturnType<typeof chartTables>;

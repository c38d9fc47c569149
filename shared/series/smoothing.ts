/**
 * Rates over few samples (issue 14): a service with three rated answers a minute reads 0 %,
 * 33 %, 100 % minute to minute. Each bucket's rate is pooled with the buckets before it until it
 * rests on at least MIN_RATE_SAMPLES samples (never further back than MAX_POOL_BUCKETS): a
 * count-weighted trailing rate, so a busy bucket stays its own value and a thin one borrows the
 * recent past. A bucket with no samples of its own stays a gap.
 */
export const MIN_RATE_SAMPLES = 30;
export const MAX_POOL_BUCKETS = 30;

export interface PooledRates {
  values: (number | null)[];
  /** How many samples each value rests on (the pooled denominator). */
  counts: number[];
}

export function pooledRates(
  hits: readonly number[],
  totals: readonly number[],
  minSamples = MIN_RATE_SAMPLES,
  maxPool = MAX_POOL_BUCKETS,
): PooledRates {
  const values: (number | null)[] = [];
  const counts: number[] = [];
  for (let i = 0; i < totals.length; i++) {
    if ((totals[i] ?? 0) <= 0) {
      values.push(null);
      counts.push(0);
      continue;
    }
    let h = 0;
    let n = 0;
    for (let j = i; j >= 0 && i - j < maxPool && n < minSamples; j--) {
      h += hits[j] ?? 0;
      n += totals[j] ?? 0;
    }
    values.push(h / n);
    counts.push(n);
  }
  return { values, counts };
}

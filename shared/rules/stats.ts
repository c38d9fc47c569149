/** Small statistics the rule catalog needs. Pure. */

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function mean(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Sample standard deviation (n - 1); 0 for fewer than two values. */
export function stdev(values: readonly number[]): number {
  const m = mean(values);
  if (m === undefined || values.length < 2) return 0;
  let ss = 0;
  for (const v of values) ss += (v - m) ** 2;
  return Math.sqrt(ss / (values.length - 1));
}

/**
 * KL(P‖Q) in nats between two count maps over the union of their categories, with additive
 * (Laplace) smoothing `alpha` so a category absent from one side does not make it infinite.
 */
export function klDivergence(
  p: Readonly<Record<string, number>>,
  q: Readonly<Record<string, number>>,
  alpha = 1,
): number {
  const keys = new Set([...Object.keys(p), ...Object.keys(q)]);
  if (keys.size === 0) return 0;
  let np = 0;
  let nq = 0;
  for (const k of keys) {
    np += (p[k] ?? 0) + alpha;
    nq += (q[k] ?? 0) + alpha;
  }
  let kl = 0;
  for (const k of keys) {
    const pk = ((p[k] ?? 0) + alpha) / np;
    const qk = ((q[k] ?? 0) + alpha) / nq;
    kl += pk * Math.log(pk / qk);
  }
  return kl;
}

/** Total-variation distance (half the L1 distance) between two count maps' proportions; 0..1. */
export function totalVariation(p: Readonly<Record<string, number>>, q: Readonly<Record<string, number>>): number {
  const keys = new Set([...Object.keys(p), ...Object.keys(q)]);
  let np = 0;
  let nq = 0;
  for (const k of keys) {
    np += p[k] ?? 0;
    nq += q[k] ?? 0;
  }
  if (np === 0 || nq === 0) return 0;
  let d = 0;
  for (const k of keys) d += Math.abs((p[k] ?? 0) / np - (q[k] ?? 0) / nq);
  return d / 2;
}

export function sumValues(r: Readonly<Record<string, number>>): number {
  let n = 0;
  for (const k in r) n += r[k] ?? 0;
  return n;
}

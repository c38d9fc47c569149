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

/**
 * A standard deviation that a few wild values cannot inflate: 1.4826 × the median absolute
 * deviation (equal to the standard deviation for normal data); 0 for fewer than two values.
 */
export function robustSd(values: readonly number[]): number {
  const m = median(values);
  if (m === undefined || values.length < 2) return 0;
  return 1.4826 * (median(values.map((v) => Math.abs(v - m))) ?? 0);
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

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: ~15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0] ?? 1;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] ?? 0) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (Numerical Recipes `betacf`, modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  const EPS = 1e-14;
  const MAX_ITER = 10_000;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITER; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry otherwise.
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(a, b, x)) / a;
  return 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/**
 * Exact upper tail of the binomial distribution, P(X ≥ k) for X ~ Binomial(n, p): the p-value of
 * observing k or more "hits" in n trials if the true rate were p. Exact at any n (through the
 * incomplete beta function, no normal approximation), so it is right for 3 requests and for 3
 * million alike.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  return regularizedBeta(p, k, n - k + 1);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialLowerTail(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return 1 - binomialUpperTail(k + 1, n, p);
}

/** The standard normal quantile (Acklam's rational approximation, |error| < 1.2e-9). */
export function normalQuantile(q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError('quantile must be in (0, 1)');
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const [a0, a1, a2, a3, a4, a5] = a as [number, number, number, number, number, number];
  const [b0, b1, b2, b3, b4] = b as [number, number, number, number, number];
  const [c0, c1, c2, c3, c4, c5] = c as [number, number, number, number, number, number];
  const [d0, d1, d2, d3] = d as [number, number, number, number];
  const lo = 0.02425;
  if (q < lo) {
    const t = Math.sqrt(-2 * Math.log(q));
    return (((((c0 * t + c1) * t + c2) * t + c3) * t + c4) * t + c5) / ((((d0 * t + d1) * t + d2) * t + d3) * t + 1);
  }
  if (q > 1 - lo) return -normalQuantile(1 - q);
  const t = q - 0.5;
  const r = t * t;
  return (
    ((((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * t) /
    (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1)
  );
}

/** Wilson score interval bounds of k hits in n trials at two-sided z (one-sided confidence Φ(z)). */
export function wilsonInterval(k: number, n: number, z: number): { lower: number; upper: number } {
  if (n <= 0) return { lower: 0, upper: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

/**
 * The statistical decision the rate rules share: is the true rate above `p0`, given k hits in n
 * trials? True when the exact one-sided binomial test rejects "rate ≤ p0" at level `alpha`
 * (P(X ≥ k | n, p0) < alpha). Few samples can only pass with an overwhelming share of hits; huge
 * counts pass on a small excess: the evidence decides, not a fixed minimum count.
 */
export function significantlyAbove(k: number, n: number, p0: number, alpha: number): boolean {
  if (n <= 0 || k <= 0 || k / n <= p0) return false;
  return binomialUpperTail(k, n, p0) < alpha;
}

/** The mirror test: is the true rate below `p0`? P(X ≤ k | n, p0) < alpha. */
export function significantlyBelow(k: number, n: number, p0: number, alpha: number): boolean {
  if (n <= 0 || k / n >= p0) return false;
  return binomialLowerTail(k, n, p0) < alpha;
}

/**
 * The p-value of "every one of `n` attempts failed" when each fails independently with
 * probability at most `q` (a healthy provider's failure share): q^n. One attempt is never
 * evidence of anything beyond q itself, so with `alpha < q` a single failure can never pass.
 */
export function allFailedPValue(n: number, q: number): number {
  if (n <= 0) return 1;
  if (q <= 0) return 0;
  if (q >= 1) return 1;
  return Math.exp(n * Math.log(q));
}

/**
 * Is the rate now (`k` of `n`) above the baseline's (`kb` of `nb`) by more than `margin`? The
 * null is the worst case the baseline allows: its upper Wilson bound at one-sided `baselineConfidence`
 * plus the margin (a small baseline is a vague yardstick, so it asks for more, instead of a
 * minimum baseline count); the exact binomial test must reject it at level `alpha`.
 */
export function shiftedAbove(
  k: number,
  n: number,
  kb: number,
  nb: number,
  margin: number,
  alpha: number,
  baselineConfidence: number,
): boolean {
  // Cheap exit (most minutes): not even `margin` above the baseline's own rate.
  if (n <= 0 || nb <= 0 || k / n <= kb / nb + margin) return false;
  const p0 = wilsonInterval(kb, nb, normalQuantile(baselineConfidence)).upper + margin;
  return p0 < 1 && significantlyAbove(k, n, p0, alpha);
}

/** The mirror: the rate now below the baseline's lower Wilson bound minus `margin`, significantly. */
export function shiftedBelow(
  k: number,
  n: number,
  kb: number,
  nb: number,
  margin: number,
  alpha: number,
  baselineConfidence: number,
): boolean {
  if (n <= 0 || nb <= 0 || k / n >= kb / nb - margin) return false;
  const p0 = wilsonInterval(kb, nb, normalQuantile(baselineConfidence)).lower - margin;
  return p0 > 0 && significantlyBelow(k, n, p0, alpha);
}

/**
 * Log-likelihood ratio of `k` hits in `n` trials under rate `p1` against rate `p0` (both strictly
 * between 0 and 1): positive when the counts favour `p1`. Each hit adds ln(p1/p0), each miss
 * ln((1-p1)/(1-p0)); the sequential test below sums these minute by minute.
 */
export function bernoulliLlr(k: number, n: number, p0: number, p1: number): number {
  if (n <= 0) return 0;
  return k * Math.log(p1 / p0) + (n - k) * Math.log((1 - p1) / (1 - p0));
}

/**
 * One-sided CUSUM (Page) of per-step log-likelihood ratios, oldest first: S = max(0, S + x) after
 * each step, i.e. the largest sum over any run of newest steps. Wald: under the null (rate `p0`)
 * it reaches `h` at most once per e^h trials on average, whatever the traffic; under the
 * alternative it climbs by KL(p1 ‖ p0) per trial, so evidence accumulates past any fixed window.
 */
export function cusum(steps: readonly number[]): number {
  let s = 0;
  for (const x of steps) s = Math.max(0, s + x);
  return s;
}

/**
 * The CUSUM threshold for an expected `falseAlarms` a month over `tests` scopes, for a scope
 * seeing `trialsPerMonth` trials a month: e^h ≥ trials × tests / falseAlarms (Wald's bound on
 * the run length under the null); never below `minSteps` × the largest single-trial step, so a
 * lone miss or thumbs-down (or two) can never reach it at any traffic level.
 */
export function cusumThreshold(
  trialsPerMonth: number,
  tests: number,
  falseAlarms: number,
  p0: number,
  p1: number,
  minSteps: number,
): number {
  const largestStep = Math.max(Math.abs(Math.log(p1 / p0)), Math.abs(Math.log((1 - p1) / (1 - p0))));
  const wald = Math.log((Math.max(1, trialsPerMonth) * Math.max(1, tests)) / falseAlarms);
  return Math.max(wald, minSteps * largestStep);
}

/** The regularised upper incomplete gamma function Q(a, x), a > 0, x ≥ 0 (Numerical Recipes gser/gcf). */
export function gammaUpper(a: number, x: number): number {
  if (x <= 0) return 1;
  const EPS = 1e-15;
  const MAX_ITER = 10_000;
  const lnFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x).
    let ap = a;
    let sum = 1 / a;
    let del = sum;
    for (let n = 0; n < MAX_ITER; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(lnFront));
  }
  // Continued fraction for Q(a, x) (modified Lentz).
  const TINY = 1e-300;
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.min(1, Math.exp(lnFront) * h);
}

/** P(X ≥ x) for X ~ χ²(df). */
export function chiSquareUpperTail(x: number, df: number): number {
  if (df <= 0) return 1;
  return gammaUpper(df / 2, x / 2);
}

/** Categories expected fewer times than this are pooled before the G-test (its χ² approximation needs it). */
export const MIN_EXPECTED_PER_CATEGORY = 5;

/**
 * G-test (likelihood-ratio goodness of fit) of observed category counts against a reference mix
 * (its counts, with additive smoothing `alpha` so a category new to either side is possible):
 * G = 2 Σ O ln(O / E), E = n · q, asymptotically χ² with (categories - 1) degrees of freedom.
 * Categories expected fewer than MIN_EXPECTED_PER_CATEGORY times are pooled into one (the usual
 * rule for the χ² approximation: one rare label seen once among 30 outputs is not a shifted mix).
 * Returns the p-value: how likely a sample this far from the reference is if it came from it.
 */
export function gTestPValue(
  observed: Readonly<Record<string, number>>,
  reference: Readonly<Record<string, number>>,
  alpha = 1,
): number {
  const keys = new Set([...Object.keys(observed), ...Object.keys(reference)]);
  const n = sumValues(observed);
  if (keys.size < 2 || n <= 0) return 1;
  const nRef = sumValues(reference) + alpha * keys.size;
  const bins: { o: number; e: number }[] = [];
  const pooled = { o: 0, e: 0 };
  for (const k of keys) {
    const bin = { o: observed[k] ?? 0, e: (n * ((reference[k] ?? 0) + alpha)) / nRef };
    if (bin.e < MIN_EXPECTED_PER_CATEGORY) {
      pooled.o += bin.o;
      pooled.e += bin.e;
    } else bins.push(bin);
  }
  if (pooled.e > 0) {
    // Still too rare on its own: folded into the least expected category, unless that would
    // leave a single one (a reference of one label against outputs of another is all signal).
    const smallest = bins.reduce<{ o: number; e: number } | undefined>((a, b) => (!a || b.e < a.e ? b : a), undefined);
    if (pooled.e >= MIN_EXPECTED_PER_CATEGORY || !smallest || bins.length < 2) bins.push(pooled);
    else {
      smallest.o += pooled.o;
      smallest.e += pooled.e;
    }
  }
  if (bins.length < 2) return 1;
  let g = 0;
  for (const { o, e } of bins) if (o > 0) g += o * Math.log(o / e);
  return chiSquareUpperTail(Math.max(0, 2 * g), bins.length - 1);
}

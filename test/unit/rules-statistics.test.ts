import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binomialLowerTail,
  binomialUpperTail,
  normalQuantile,
  significantlyAbove,
  significantlyBelow,
  wilsonInterval,
} from '../../shared/rules/stats.js';

/** P(X ≥ k) by direct summation in log space (the reference for small n). */
function naiveUpper(k: number, n: number, p: number): number {
  let lnC = 0; // ln C(n, 0)
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) lnC += Math.log(n - i + 1) - Math.log(i);
    if (i >= k) sum += Math.exp(lnC + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return sum;
}

describe('exact binomial tail', () => {
  it('matches direct summation for small n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.double({ min: 0.001, max: 0.999, noNaN: true }),
        fc.integer({ min: 0, max: 130 }),
        (n, p, kk) => {
          const k = Math.min(kk, n + 1);
          const want = k > n ? 0 : naiveUpper(k, n, p);
          expect(Math.abs(binomialUpperTail(k, n, p) - want)).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('edges: no hits, more hits than trials, one trial, certain rates', () => {
    expect(binomialUpperTail(0, 10, 0.05)).toBe(1);
    expect(binomialUpperTail(11, 10, 0.05)).toBe(0);
    expect(binomialUpperTail(1, 1, 0.05)).toBeCloseTo(0.05, 12);
    expect(binomialUpperTail(2, 2, 0.05)).toBeCloseTo(0.0025, 12);
    expect(binomialUpperTail(3, 5, 0)).toBe(0);
    expect(binomialUpperTail(3, 5, 1)).toBe(1);
    expect(binomialLowerTail(-1, 5, 0.5)).toBe(0);
    expect(binomialLowerTail(5, 5, 0.5)).toBe(1);
    expect(binomialLowerTail(0, 10, 0.5)).toBeCloseTo(1 / 1024, 12);
  });

  it('stays finite and monotone at huge counts', () => {
    const n = 5_000_000;
    const a = binomialUpperTail(250_000, n, 0.05); // exactly the mean: about one half
    const b = binomialUpperTail(251_000, n, 0.05); // +2 standard deviations
    const c = binomialUpperTail(260_000, n, 0.05); // +20 sd
    expect(a).toBeGreaterThan(0.49);
    expect(a).toBeLessThan(0.51);
    expect(b).toBeGreaterThan(0.01);
    expect(b).toBeLessThan(0.03);
    expect(c).toBeGreaterThanOrEqual(0);
    expect(c).toBeLessThan(1e-80);
  });

  it('normal quantile and Wilson interval', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
    // For k = n the Wilson lower bound is n / (n + z²).
    expect(wilsonInterval(4, 4, 1.96).lower).toBeCloseTo(4 / (4 + 1.96 ** 2), 10);
    expect(wilsonInterval(0, 0, 1.96)).toEqual({ lower: 0, upper: 1 });
  });
});

describe('significantlyAbove: the decision at its edges (threshold 5%, alpha 2.5%)', () => {
  const above = (k: number, n: number) => significantlyAbove(k, n, 0.05, 0.025);
  it('0 failures never, at any count', () => {
    for (const n of [0, 1, 2, 10, 1_000, 10_000_000]) expect(above(0, n)).toBe(false);
  });
  it('1 failure never: even 1 of 1 is what a 5% service does one time in 20', () => {
    for (const n of [1, 2, 3, 10, 1_000_000]) expect(above(1, n)).toBe(false);
  });
  it('2 failures: only among 2 to 5 requests (the error-rate rule also wants minErrors = 5)', () => {
    expect(above(2, 2)).toBe(true);
    expect(above(2, 5)).toBe(true);
    expect(above(2, 6)).toBe(false);
    expect(above(2, 1_000)).toBe(false);
  });
  it('tiny counts need an overwhelming share; huge counts a small excess', () => {
    expect(above(3, 3)).toBe(true);
    expect(above(8, 70)).toBe(true); // 11.4%: a 5 req/min service's 14 minutes at 12%
    expect(above(7, 70)).toBe(false); // 10%: not yet evidence
    expect(above(5_200, 100_000)).toBe(true); // 5.2% of 100k
    expect(above(5_050, 100_000)).toBe(false); // 5.05% of 100k: noise
    expect(above(5, 100)).toBe(false); // exactly at the threshold is never above
  });
  it('significantlyBelow mirrors it', () => {
    expect(significantlyBelow(0, 0, 0.5, 0.05)).toBe(false);
    expect(significantlyBelow(0, 5, 0.5, 0.05)).toBe(true); // 1/32
    expect(significantlyBelow(1, 5, 0.5, 0.05)).toBe(false); // 6/32
    expect(significantlyBelow(450, 1_000, 0.5, 0.01)).toBe(true);
  });
});

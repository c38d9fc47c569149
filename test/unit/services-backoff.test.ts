import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../electron/main/services/backoff.js';

describe('backoffDelay', () => {
  const noJitter = { ...DEFAULT_BACKOFF, jitter: 0 };

  it('doubles from 0.5 s and caps at 30 s', () => {
    const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, noJitter));
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('jitter draws from [50 %, 100 %] of the exponential value by default', () => {
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0)).toBe(2000);
    expect(backoffDelay(3, DEFAULT_BACKOFF, () => 0.999999)).toBe(4000);
  });

  it('never overflows on a very long outage', () => {
    expect(backoffDelay(10_000, noJitter)).toBe(30_000);
    expect(backoffDelay(-3, noJitter)).toBe(500);
  });

  it('is always within [base·(1-jitter), cap] and monotone without jitter', () => {
    fc.assert(
      fc.property(fc.nat(200), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (n, r) => {
        const d = backoffDelay(n, DEFAULT_BACKOFF, () => r);
        expect(d).toBeGreaterThanOrEqual(250);
        expect(d).toBeLessThanOrEqual(30_000);
        expect(backoffDelay(n + 1, noJitter)).toBeGreaterThanOrEqual(backoffDelay(n, noJitter));
      }),
    );
  });
});

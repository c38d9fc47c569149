import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeSketch, encodeSketch, mergeEncodedSketch, newSketch } from '../../shared/rollup/sketch-codec.js';

/**
 * Maintenance merges each minute row's encoded sketch straight into its hour's sketch
 * (mergeEncodedSketch) instead of decoding it first: the hour row written must be exactly what
 * `hour.merge(decodeSketch(text))` gave, for any sequence of minutes (empty ones, zeros,
 * latencies from sub-millisecond to minutes), and so must every summary field.
 */
const latencies = fc.array(
  fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 600_000, noNaN: true }), fc.integer({ min: 1, max: 5000 })),
  { maxLength: 60 },
);

function encoded(values: readonly number[]): string {
  const s = newSketch();
  for (const v of values) s.accept(v);
  return encodeSketch(s);
}

describe('mergeEncodedSketch', () => {
  it('equals merging the decoded sketch, minute after minute', () => {
    fc.assert(
      fc.property(fc.array(latencies, { minLength: 1, maxLength: 30 }), (minutes) => {
        const slow = newSketch();
        const fast = newSketch();
        for (const values of minutes) {
          const text = encoded(values);
          slow.merge(decodeSketch(text));
          mergeEncodedSketch(fast, text);
          expect(encodeSketch(fast)).toBe(encodeSketch(slow));
          expect([fast.count, fast.zeroCount, fast.sum, fast.min, fast.max]).toEqual([
            slow.count,
            slow.zeroCount,
            slow.sum,
            slow.min,
            slow.max,
          ]);
          if (slow.count > 0) expect(fast.getValueAtQuantile(0.95)).toBe(slow.getValueAtQuantile(0.95));
        }
      }),
      { numRuns: 200 },
    );
  });
});

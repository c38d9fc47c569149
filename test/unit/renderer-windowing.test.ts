import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  computeLayout,
  OVERSCAN_ROWS,
  rowAt,
  scrollToReveal,
  totalHeight,
  visibleRange,
} from '../../renderer/src/lib/windowing';

describe('windowing', () => {
  it('lays rows end to end', () => {
    const l = computeLayout([62, 46, 46, 62]);
    expect([...l.offsets]).toEqual([0, 62, 108, 154, 216]);
    expect(totalHeight(l)).toBe(216);
    expect(rowAt(l, 0)).toBe(0);
    expect(rowAt(l, 61.9)).toBe(0);
    expect(rowAt(l, 62)).toBe(1);
    expect(rowAt(l, 10_000)).toBe(3);
  });

  it('mounts only the rows in view plus the overscan, for 10,000 incidents', () => {
    const l = computeLayout(new Array<number>(10_000).fill(62));
    const top = visibleRange(l, 0, 800);
    expect(top).toEqual({ start: 0, end: Math.ceil(800 / 62) + OVERSCAN_ROWS });
    const middle = visibleRange(l, 62 * 5_000, 800);
    expect(middle.start).toBe(5_000 - OVERSCAN_ROWS);
    expect(middle.end - middle.start).toBeLessThan(30);
    const bottom = visibleRange(l, totalHeight(l) - 800, 800);
    expect(bottom.end).toBe(10_000);
    expect(visibleRange(computeLayout([]), 0, 800)).toEqual({ start: 0, end: 0 });
  });

  it('always covers the viewport (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(62, 46, 34), { minLength: 1, maxLength: 300 }),
        fc.nat(20_000),
        fc.integer({ min: 1, max: 2_000 }),
        (heights, scroll, viewport) => {
          const l = computeLayout(heights);
          const scrollTop = Math.min(scroll, Math.max(0, totalHeight(l) - viewport));
          const { start, end } = visibleRange(l, scrollTop, viewport);
          expect(start).toBeGreaterThanOrEqual(0);
          expect(end).toBeLessThanOrEqual(heights.length);
          // The first mounted row starts at or above the viewport's top, the last ends at or below its bottom.
          expect(l.offsets[start]).toBeLessThanOrEqual(scrollTop);
          expect(l.offsets[end]).toBeGreaterThanOrEqual(Math.min(totalHeight(l), scrollTop + viewport));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reveals the cursor row moving as little as possible', () => {
    const l = computeLayout(new Array<number>(100).fill(50));
    expect(scrollToReveal(l, 0, 0, 200)).toBe(0); // already in view
    expect(scrollToReveal(l, 4, 0, 200)).toBe(50); // just below: its bottom at the viewport's bottom
    expect(scrollToReveal(l, 2, 500, 200)).toBe(100); // above: its top at the viewport's top
    expect(scrollToReveal(l, 99, 0, 200)).toBe(4_800);
    expect(scrollToReveal(l, -1, 123, 200)).toBe(123);
    expect(scrollToReveal(l, 100, 123, 200)).toBe(123);
  });
});

describe('sortByUrgency', () => {
  it('orders exactly as compareUrgency (its keys computed once)', async () => {
    const { compareUrgency, sortByUrgency } = await import('../../renderer/src/lib/incidents');
    const arb = fc.record({
      id: fc.string({ minLength: 1, maxLength: 3 }),
      key: fc.constant('k'),
      tier: fc.constantFrom('page' as const, 'ticket' as const, 'review' as const),
      status: fc.constantFrom('firing' as const, 'acknowledged' as const, 'snoozed' as const, 'resolved' as const),
      title: fc.constant('t'),
      alertIds: fc.constant([] as string[]),
      firedAt: fc.integer({ min: 0, max: 5 }).map((m) => new Date(Date.UTC(2025, 2, 4, 3, m)).toISOString()),
    });
    fc.assert(
      fc.property(fc.array(arb, { maxLength: 60 }), (list) => {
        expect(sortByUrgency(list)).toEqual([...list].sort(compareUrgency));
      }),
      { numRuns: 200 },
    );
  });
});

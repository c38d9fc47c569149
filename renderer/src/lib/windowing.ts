/**
 * Windowing for long lists (the inbox holds 10,000 incidents and must draw in < 300 ms): rows
 * have a fixed height per kind, so their offsets are one prefix sum and the rows in view are two
 * binary searches. Only those rows (plus a few either side) are mounted.
 */

export interface Layout {
  /** `offsets[i]` is where row i starts; `offsets[n]` is the total height. */
  offsets: Float64Array;
}

export function computeLayout(heights: ArrayLike<number>): Layout {
  const offsets = new Float64Array(heights.length + 1);
  for (let i = 0; i < heights.length; i++) offsets[i + 1] = (offsets[i] ?? 0) + (heights[i] ?? 0);
  return { offsets };
}

export function totalHeight(layout: Layout): number {
  return layout.offsets[layout.offsets.length - 1] ?? 0;
}

export function rowCount(layout: Layout): number {
  return layout.offsets.length - 1;
}

/** The row covering pixel `y` (clamped into the list). */
export function rowAt(layout: Layout, y: number): number {
  const n = rowCount(layout);
  if (n === 0) return 0;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((layout.offsets[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Rows kept mounted above and below the viewport, so a fast scroll does not show a gap. */
export const OVERSCAN_ROWS = 6;

/** Half-open range `[start, end)` of rows to mount for a viewport at `scrollTop`. */
export function visibleRange(
  layout: Layout,
  scrollTop: number,
  viewportHeight: number,
  overscan = OVERSCAN_ROWS,
): { start: number; end: number } {
  const n = rowCount(layout);
  if (n === 0) return { start: 0, end: 0 };
  const first = rowAt(layout, Math.max(0, scrollTop));
  const last = rowAt(layout, Math.max(0, scrollTop + Math.max(0, viewportHeight) - 1));
  return { start: Math.max(0, first - overscan), end: Math.min(n, last + 1 + overscan) };
}

/**
 * The scrollTop that brings row `index` fully into view while moving as little as possible (the
 * keyboard cursor: j/k must never lose the row off-screen); the same scrollTop when it already is.
 */
export function scrollToReveal(layout: Layout, index: number, scrollTop: number, viewportHeight: number): number {
  if (index < 0 || index >= rowCount(layout)) return scrollTop;
  const top = layout.offsets[index] ?? 0;
  const bottom = layout.offsets[index + 1] ?? top;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return scrollTop;
}

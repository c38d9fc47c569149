import { useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { computeLayout, scrollToReveal, totalHeight, visibleRange } from '../lib/windowing';

interface Props<T> {
  items: readonly T[];
  /** Fixed height per row (by kind); the row's CSS must give it exactly this height. */
  heightOf(item: T): number;
  keyOf(item: T): string;
  render(item: T, index: number): ReactNode;
  /** Index the keyboard cursor is on: scrolled into view whenever it changes. */
  revealIndex: number;
  /** Props of the scrolling element (it is the listbox). */
  id?: string;
  className?: string;
  role?: string;
  ariaLabel?: string;
  activeDescendant?: string;
  testId?: string;
}

/** A viewport height to start from before the first measurement (a typical inbox pane). */
const INITIAL_VIEWPORT_PX = 800;

/**
 * A windowed list: only the rows in view (plus OVERSCAN_ROWS either side) are mounted, each
 * absolutely positioned at its offset inside a spacer as tall as the whole list, so 10,000
 * incidents cost what 30 do. Written here rather than taken from a library: fixed row heights
 * make it a prefix sum and a binary search (lib/windowing.ts), and it keeps the keyboard cursor
 * in view, which is the one behaviour the inbox needs beyond drawing.
 */
export function VirtualList<T>(props: Props<T>) {
  const { items, heightOf, keyOf, render, revealIndex } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(INITIAL_VIEWPORT_PX);
  const layout = useMemo(() => computeLayout(items.map(heightOf)), [items, heightOf]);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setViewport(el.clientHeight || INITIAL_VIEWPORT_PX);
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => setViewport(el.clientHeight || INITIAL_VIEWPORT_PX));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The cursor row must be mounted and visible: aria-activedescendant points at it.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || revealIndex < 0) return;
    const next = scrollToReveal(layout, revealIndex, el.scrollTop, el.clientHeight || viewport);
    if (next !== el.scrollTop) {
      el.scrollTop = next;
      setScrollTop(next);
    }
  }, [revealIndex, layout, viewport]);

  const { start, end } = visibleRange(layout, scrollTop, viewport);
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) {
    const item = items[i] as T;
    rows.push(
      <div
        key={keyOf(item)}
        className="vrow"
        role="presentation"
        // Positions are set through the CSSOM (React's style prop), which the strict CSP allows.
        style={{ transform: `translateY(${layout.offsets[i] ?? 0}px)`, height: heightOf(item) }}
      >
        {render(item, i)}
      </div>,
    );
  }

  return (
    <div
      ref={ref}
      id={props.id}
      className={`vlist ${props.className ?? ''}`}
      role={props.role}
      aria-label={props.ariaLabel}
      aria-activedescendant={props.activeDescendant}
      tabIndex={0}
      data-testid={props.testId}
      data-rows={items.length}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div className="vlist-spacer" style={{ height: totalHeight(layout) }}>
        {rows}
      </div>
    </div>
  );
}

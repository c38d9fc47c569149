import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTick, PALETTE, type ValueKind } from '../../lib/chart-format';
import type { PanelData } from '../../store/charts';

export interface UPlotChartProps {
  data: PanelData;
  kind: ValueKind;
  height: number;
  /** Index of the bucket under the cursor, or null when it leaves the chart. */
  onCursor?: (idx: number | null) => void;
  /** A vertical marker (seconds), e.g. when an alert fired. */
  markerX?: number;
  /** Ratios read best on a 0-based axis; latency and cost float. */
  zeroBased?: boolean;
  /** Rare values (eval runs): points, joined across empty buckets. */
  sparse?: boolean;
}

// uPlot draws on canvas, so theme colours are spelled out here (same values as theme.css).
const AXIS = '#9ba6b5';
const GRID = '#1d2430';
const MARKER = '#ff6b6b';

function markerPlugin(x: number): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const left = u.valToPos(x, 'x', true);
        if (left < u.bbox.left || left > u.bbox.left + u.bbox.width) return;
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = MARKER;
        ctx.setLineDash([4, 3]);
        ctx.lineWidth = Math.max(1, devicePixelRatio);
        ctx.beginPath();
        ctx.moveTo(left, u.bbox.top);
        ctx.lineTo(left, u.bbox.top + u.bbox.height);
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

/** A thin React wrapper: uPlot owns the canvas; React owns the legend around it. */
export function UPlotChart({ data, kind, height, onCursor, markerX, zeroBased, sparse }: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const cursorCb = useRef(onCursor);
  useEffect(() => {
    cursorCb.current = onCursor;
  }, [onCursor]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      padding: [8, 8, 0, 0],
      cursor: { y: false, points: { size: 6 }, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: zeroBased ? { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } : {} },
      axes: [
        {
          stroke: AXIS,
          grid: { stroke: GRID, width: 1 },
          ticks: { stroke: GRID, width: 1 },
          font: '11px system-ui, sans-serif',
        },
        {
          stroke: AXIS,
          grid: { stroke: GRID, width: 1 },
          ticks: { show: false },
          size: 56,
          font: '11px system-ui, sans-serif',
          values: (_u, splits) => splits.map((v) => formatTick(kind, v)),
        },
      ],
      series: [
        {},
        ...data.lines.map((line, i) => ({
          label: line.name,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          points: sparse ? { show: true, size: 5, fill: PALETTE[i % PALETTE.length] } : { show: false },
          spanGaps: !!sparse,
        })),
      ],
      hooks: { setCursor: [(u) => cursorCb.current?.(u.cursor.idx ?? null)] },
      plugins: markerX !== undefined ? [markerPlugin(markerX)] : [],
    };
    const aligned: uPlot.AlignedData = [data.xs, ...data.lines.map((l) => l.values)];
    const chart = new uPlot(opts, aligned, el);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [data, kind, height, markerX, zeroBased, sparse]);

  return <div className="uplot-host" ref={host} data-testid="chart-canvas-host" />;
}

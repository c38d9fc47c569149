import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { decimate } from '../../lib/chart-decimate';
import type { ValueKind } from '../../lib/chart-format';
import type { ChartMarker, RefLine } from '../../lib/chart-overlays';
import type { PanelData } from '../../store/charts';
import { chartOptions, themeColors } from './uplot-options';

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
  /** The rule's lines (baseline, threshold), in the panel's unit. */
  refs?: readonly RefLine[];
  /** Incidents on the time axis; clicking one calls `onMarker`. */
  markers?: readonly ChartMarker[];
  onMarker?: (incidentId: string) => void;
}

const NO_REFS: readonly RefLine[] = [];
const NO_MARKERS: readonly ChartMarker[] = [];

/** A thin React wrapper: uPlot owns the canvas; React owns the legend around it. */
export function UPlotChart({
  data,
  kind,
  height,
  onCursor,
  markerX,
  zeroBased,
  sparse,
  refs = NO_REFS,
  markers = NO_MARKERS,
  onMarker,
}: UPlotChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const cursorCb = useRef(onCursor);
  const markerCb = useRef(onMarker);
  useEffect(() => {
    cursorCb.current = onCursor;
    markerCb.current = onMarker;
  }, [onCursor, onMarker]);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const width = Math.max(200, el.clientWidth);
    const shown = decimate(
      data.xs,
      data.lines.map((l) => l.values),
      width,
    );
    const opts = chartOptions({
      width,
      height,
      kind,
      lineNames: data.lines.map((l) => l.name),
      colors: themeColors(el),
      zeroBased: !!zeroBased,
      sparse: !!sparse,
      refs,
      markers,
      ...(markerX !== undefined ? { markerX } : {}),
      onCursor: (idx) => cursorCb.current?.(idx === null ? null : (shown.index[idx] ?? null)),
      onMarker: (id) => markerCb.current?.(id),
    });
    const aligned: uPlot.AlignedData = [shown.xs, ...shown.lines];
    const chart = new uPlot(opts, aligned, el);
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [data, kind, height, markerX, zeroBased, sparse, refs, markers]);

  return <div className="uplot-host" ref={host} data-testid="chart-canvas-host" />;
}

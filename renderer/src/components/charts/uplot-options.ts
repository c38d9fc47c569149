import type uPlot from 'uplot';
import { formatTick, formatValue, PALETTE, type ValueKind } from '../../lib/chart-format';
import { yRangeWith, type ChartMarker, type RefLine } from '../../lib/chart-overlays';

/** Canvas colours, read from the theme's CSS variables (theme.css `--chart-*`) when a chart is built. */
export interface ChartColors {
  axis: string;
  grid: string;
  baseline: string;
  threshold: string;
  marker: string;
  markerResolved: string;
}

export const FALLBACK_COLORS: ChartColors = {
  axis: '#9ba6b5',
  grid: '#1d2430',
  baseline: '#9ba6b5',
  threshold: '#f0b43c',
  marker: '#ff6b6b',
  markerResolved: '#6fd19a',
};

export function themeColors(el: Element): ChartColors {
  const css = getComputedStyle(el);
  const v = (name: string, fallback: string): string => css.getPropertyValue(name).trim() || fallback;
  return {
    axis: v('--chart-axis', FALLBACK_COLORS.axis),
    grid: v('--chart-grid', FALLBACK_COLORS.grid),
    baseline: v('--chart-baseline', FALLBACK_COLORS.baseline),
    threshold: v('--chart-threshold', FALLBACK_COLORS.threshold),
    marker: v('--chart-marker', FALLBACK_COLORS.marker),
    markerResolved: v('--chart-marker-resolved', FALLBACK_COLORS.markerResolved),
  };
}

export interface ChartOptionsInput {
  width: number;
  height: number;
  kind: ValueKind;
  lineNames: readonly string[];
  colors: ChartColors;
  zeroBased: boolean;
  sparse: boolean;
  refs: readonly RefLine[];
  markers: readonly ChartMarker[];
  /** A single dashed vertical line (seconds), e.g. when the alert fired. */
  markerX?: number;
  onCursor?: (idx: number | null) => void;
  onMarker?: (incidentId: string) => void;
}

const px = (n: number): number => Math.round(n * devicePixelRatio);

/** Horizontal rule lines with their label at the right end (dashed: baseline dotted, threshold dashed). */
function referencePlugin(refs: readonly RefLine[], kind: ValueKind, c: ChartColors): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.font = `${px(10)}px system-ui, sans-serif`;
        ctx.textAlign = 'right';
        ctx.textBaseline = 'bottom';
        for (const r of refs) {
          const y = u.valToPos(r.value, 'y', true);
          if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
          const colour = r.role === 'threshold' ? c.threshold : c.baseline;
          ctx.strokeStyle = colour;
          ctx.fillStyle = colour;
          ctx.lineWidth = px(1);
          ctx.setLineDash(r.role === 'threshold' ? [px(6), px(4)] : [px(2), px(3)]);
          ctx.beginPath();
          ctx.moveTo(u.bbox.left, y);
          ctx.lineTo(u.bbox.left + u.bbox.width, y);
          ctx.stroke();
          ctx.fillText(`${r.label} ${formatValue(kind, r.value)}`, u.bbox.left + u.bbox.width - px(4), y - px(2));
        }
        ctx.restore();
      },
    },
  };
}

/**
 * Incident markers: a line where it fired, a faint band while it lasted, and a clickable flag
 * (a DOM button over the plot, so it is reachable by keyboard and by tests) that opens it.
 */
function markersPlugin(
  markers: readonly ChartMarker[],
  markerX: number | undefined,
  c: ChartColors,
  onMarker?: (id: string) => void,
): uPlot.Plugin {
  const buttons: HTMLButtonElement[] = [];
  return {
    hooks: {
      init: (u) => {
        for (const m of markers) {
          const b = document.createElement('button');
          b.type = 'button';
          b.className = `chart-marker${m.resolved ? ' is-resolved' : ''}`;
          b.dataset['testid'] = 'chart-marker';
          b.dataset['incident'] = m.incidentId;
          b.title = `${m.label} — open the incident`;
          b.setAttribute('aria-label', `Incident: ${m.label}`);
          b.addEventListener('click', (e) => {
            e.stopPropagation();
            onMarker?.(m.incidentId);
          });
          u.over.appendChild(b);
          buttons.push(b);
        }
      },
      draw: (u) => {
        const ctx = u.ctx;
        const top = u.bbox.top;
        const h = u.bbox.height;
        const left = u.bbox.left;
        const right = left + u.bbox.width;
        ctx.save();
        markers.forEach((m, i) => {
          const x = u.valToPos(m.x, 'x', true);
          const end = m.end === undefined ? right : Math.min(right, u.valToPos(m.end, 'x', true));
          const colour = m.resolved ? c.markerResolved : c.marker;
          const b = buttons[i];
          const visible = x >= left && x <= right;
          if (b) {
            b.style.display = visible ? '' : 'none';
            b.style.left = `${(x - left) / devicePixelRatio}px`;
          }
          if (end > Math.max(x, left)) {
            ctx.globalAlpha = 0.08;
            ctx.fillStyle = colour;
            ctx.fillRect(Math.max(x, left), top, end - Math.max(x, left), h);
            ctx.globalAlpha = 1;
          }
          if (!visible) return;
          ctx.strokeStyle = colour;
          ctx.lineWidth = px(1.5);
          ctx.setLineDash([]);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + h);
          ctx.stroke();
        });
        if (markerX !== undefined) {
          const x = u.valToPos(markerX, 'x', true);
          if (x >= left && x <= right) {
            ctx.strokeStyle = c.marker;
            ctx.setLineDash([px(4), px(3)]);
            ctx.lineWidth = px(1);
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + h);
            ctx.stroke();
          }
        }
        ctx.restore();
      },
    },
  };
}

/** uPlot options for one panel: axes in the theme's colours, the y range holding the rule's lines, overlays. */
export function chartOptions(o: ChartOptionsInput): uPlot.Options {
  const axisFont = '11px system-ui, sans-serif';
  return {
    width: o.width,
    height: o.height,
    legend: { show: false },
    padding: [8, 8, 0, 0],
    cursor: { y: false, points: { size: 6 }, drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      y: { range: (_u, min, max) => yRangeWith(min ?? 0, max ?? 1, o.refs, o.zeroBased) },
    },
    axes: [
      {
        stroke: o.colors.axis,
        grid: { stroke: o.colors.grid, width: 1 },
        ticks: { stroke: o.colors.grid, width: 1 },
        font: axisFont,
      },
      {
        stroke: o.colors.axis,
        grid: { stroke: o.colors.grid, width: 1 },
        ticks: { show: false },
        size: 56,
        font: axisFont,
        values: (_u, splits) => splits.map((v) => formatTick(o.kind, v)),
      },
    ],
    series: [
      {},
      ...o.lineNames.map((name, i) => ({
        label: name,
        stroke: PALETTE[i % PALETTE.length],
        width: 1.5,
        points: o.sparse ? { show: true, size: 5, fill: PALETTE[i % PALETTE.length] } : { show: false },
        spanGaps: o.sparse,
      })),
    ],
    hooks: { setCursor: [(u) => o.onCursor?.(u.cursor.idx ?? null)] },
    plugins: [referencePlugin(o.refs, o.kind, o.colors), markersPlugin(o.markers, o.markerX, o.colors, o.onMarker)],
  };
}

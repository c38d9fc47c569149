import uPlot from 'uplot';
import { chartOptions, FALLBACK_COLORS } from '../../renderer/src/components/charts/uplot-options';
import { decimate } from '../../renderer/src/lib/chart-decimate';
import type { ChartMarker, RefLine } from '../../renderer/src/lib/chart-overlays';

/**
 * Runs inside Chromium (bundled by bench/charts-draw.ts): draws one panel the way UPlotChart does
 * (same options: axes, rule lines, incident markers) and times it. `window.vigilBench` is what
 * the bench calls through Playwright.
 */
const MINUTE_S = 60;

/** Plain arrays, as the store hands them to UPlotChart. */
function minuteData(points: number, lines: number, endS: number): number[][] {
  const xs = new Array<number>(points);
  for (let i = 0; i < points; i++) xs[i] = endS - (points - i) * MINUTE_S;
  const out: number[][] = [xs];
  let seed = 11;
  for (let l = 0; l < lines; l++) {
    const ys = new Array<number>(points);
    for (let i = 0; i < points; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      // A daily rhythm plus noise, like latency p50/p95/p99 and a fourth line.
      ys[i] = (300 + 200 * l) * (1 + 0.4 * Math.sin((i / 1440) * 2 * Math.PI)) + (seed / 2 ** 31) * 80;
    }
    out.push(ys);
  }
  return out;
}

const REFS: RefLine[] = [
  { label: 'baseline', value: 600, role: 'baseline' },
  { label: '2× baseline', value: 1200, role: 'threshold' },
  { label: '3× SLO', value: 2400, role: 'threshold' },
];

function markers(endS: number, n: number): ChartMarker[] {
  return Array.from({ length: n }, (_, i) => ({
    x: endS - (i + 1) * 86_400 + 3600,
    end: endS - (i + 1) * 86_400 + 7200,
    incidentId: `inc-${i}`,
    label: `incident ${i}`,
    resolved: true,
  }));
}

interface Timing {
  drawMs: number;
}

/**
 * Builds a chart on `data` and resolves when its first draw has finished (uPlot commits in a
 * microtask) and its pixels are readable (a 1-pixel readback flushes the canvas).
 */
async function draw(host: HTMLElement, data: number[][], endS: number): Promise<{ chart: uPlot; ms: number }> {
  const t0 = performance.now();
  let done!: () => void;
  const drawn = new Promise<void>((r) => (done = r));
  const opts = chartOptions({
    width: 1200,
    height: 180,
    kind: 'ms',
    lineNames: data.slice(1).map((_, i) => `line ${i}`),
    colors: FALLBACK_COLORS,
    zeroBased: false,
    sparse: false,
    refs: REFS,
    markers: markers(endS, 12),
  });
  opts.hooks = { ...opts.hooks, draw: [() => done()] };
  // As UPlotChart does: at most two points per pixel column (chart-decimate.ts).
  const shown = decimate(data[0] ?? [], data.slice(1), 1200);
  const chart = new uPlot(opts, [shown.xs, ...shown.lines] as uPlot.AlignedData, host);
  await drawn;
  chart.ctx.getImageData(0, 0, 1, 1);
  return { chart, ms: performance.now() - t0 };
}

declare global {
  interface Window {
    vigilBench: {
      firstDraw(points: number, lines: number): Promise<Timing>;
      switchRange(points: number, lines: number, ranges: number[]): Promise<{ rangeMs: number[] }>;
    };
  }
}

window.vigilBench = {
  async firstDraw(points, lines) {
    const host = document.getElementById('host') as HTMLElement;
    host.innerHTML = '';
    const endS = Math.floor(Date.now() / 1000 / MINUTE_S) * MINUTE_S;
    const data = minuteData(points, lines, endS);
    const { chart, ms } = await draw(host, data, endS);
    chart.destroy();
    return { drawMs: ms };
  },
  /** As the Charts view does on a range click: the old chart destroyed, a new one on the new range's data. */
  async switchRange(points, lines, ranges) {
    const host = document.getElementById('host') as HTMLElement;
    host.innerHTML = '';
    const endS = Math.floor(Date.now() / 1000 / MINUTE_S) * MINUTE_S;
    const all = minuteData(points, lines, endS);
    let { chart } = await draw(host, all, endS);
    const rangeMs: number[] = [];
    for (const n of ranges) {
      const data = all.map((a) => a.slice(a.length - n));
      const t0 = performance.now();
      chart.destroy();
      ({ chart } = await draw(host, data, endS));
      rangeMs.push(performance.now() - t0);
    }
    chart.destroy();
    return { rangeMs };
  },
};

import { build } from 'esbuild';
import { join, resolve } from 'node:path';
import { launchChromium } from '../test/fixtures/browser.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Issue 14 performance, measured in Chromium: 30 days of one-minute data (43,200 points × 4
 * series) drawn by uPlot with the Charts view's own options (axes, the rule's lines, incident
 * markers) in < 100 ms; switching range (the old chart destroyed, a new one drawn on the new
 * range's data, as UPlotChart does) in < 50 ms. The page is bench/pages/chart-draw.ts, bundled
 * with esbuild; each figure is the median of `runs` after a warm-up.
 */
export const DRAW_BUDGET_MS = 100;
export const SWITCH_BUDGET_MS = 50;
const ROOT = resolve(import.meta.dirname, '..');
const POINTS_30D = 30 * 24 * 60;
const SERIES = 4;
const RANGES: [string, number][] = [
  ['7d', 7 * 24 * 60],
  ['24h', 24 * 60],
  ['6h', 6 * 60],
  ['1h', 60],
  ['30d', POINTS_30D],
];

export async function benchChartDraw(opts: { runs: number }): Promise<void> {
  const bundle = await build({
    entryPoints: [join(ROOT, 'bench/pages/chart-draw.ts')],
    bundle: true,
    format: 'iife',
    write: false,
    minify: true,
    target: 'chrome120',
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]?.text ?? '';
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 400 } });
    await page.setContent(
      '<!doctype html><html><body style="margin:0"><div id="host" style="width:1200px"></div></body></html>',
    );
    await page.addScriptTag({ content: js });
    const draws: number[] = [];
    const switches = new Map<string, number[]>();
    for (let r = 0; r < opts.runs + 1; r++) {
      const d = await page.evaluate(([p, s]) => window.vigilBench.firstDraw(p, s), [POINTS_30D, SERIES] as const);
      const sw = await page.evaluate(([p, s, ranges]) => window.vigilBench.switchRange(p, s, ranges), [
        POINTS_30D,
        SERIES,
        RANGES.map(([, n]) => n),
      ] as const);
      if (r === 0) continue; // warm-up: JIT and font caches
      draws.push(d.drawMs);
      sw.rangeMs.forEach((ms, i) => {
        const name = RANGES[i]?.[0] ?? '?';
        switches.set(name, [...(switches.get(name) ?? []), ms]);
      });
    }
    const row = (what: string, ms: number[], budget: number) => ({
      what,
      'p50 ms': fmt(percentile(ms, 50), 1),
      'p95 ms': fmt(percentile(ms, 95), 1),
      'max ms': fmt(Math.max(...ms), 1),
      budget: `< ${budget} ms`,
      verdict: percentile(ms, 50) < budget ? 'ok' : 'OVER',
    });
    printTable(`Charts in Chromium: ${POINTS_30D.toLocaleString('en')} points × ${SERIES} series, ${opts.runs} runs`, [
      row('first draw, 30 d of minutes', draws, DRAW_BUDGET_MS),
      ...RANGES.map(([name]) => row(`switch range → ${name}`, switches.get(name) ?? [], SWITCH_BUDGET_MS)),
    ]);
  } finally {
    await browser.close();
  }
}

if (process.argv[1]?.endsWith('bench/charts-draw.ts'))
  await benchChartDraw({ runs: process.argv.includes('--quick') ? 5 : 20 });

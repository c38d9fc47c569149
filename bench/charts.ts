import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openCache } from '../electron/main/services/cache/index.js';
import { openSeriesCache, SeriesSync, type SeriesCache } from '../electron/main/services/series/index.js';
import { DAY_MS, HOUR_MS } from '../shared/clock.js';
import type { RollupRow, SeriesQueryParams } from '../shared/protocol/series.js';
import { encodeSketch, newSketch } from '../shared/rollup/sketch-codec.js';
import { startCollector, type CollectorHandle } from '../test/fixtures/collector.js';
import { PANELS } from '../renderer/src/lib/chart-panels.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Charts (issue "make the Charts fast"): the demo's simulated day (simulator `--backfill 1d`)
 * synced into a fresh desktop chart cache, then every Charts-view query (`series.query`, as the
 * main process answers it) over 1 h … 24 h; then 29 more synthetic days of hourly rows and the
 * 7 d / 30 d ranges. Targets: p95 < 50 ms over 24 h, < 100 ms over 30 d; first sync of a day < 1 s;
 * no single synchronous cache call over 50 ms.
 */
const ROOT = resolve(import.meta.dirname, '..');
const SIM = join(ROOT, 'electron/collector/simulator/cli.ts');

async function simulateDay(c: CollectorHandle): Promise<void> {
  const args = [
    '--import',
    'tsx',
    SIM,
    '--url',
    c.url,
    '--backfill',
    '1d',
    '--once',
    '--scenario',
    'provider-outage',
    '--scenario-since',
    '20m',
  ];
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, VIGIL_TOKEN: c.token },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const code = await new Promise<number | null>((r) => proc.on('exit', r));
  if (code !== 0) throw new Error(`simulator exited with ${code}`);
}

/** Wraps the cache so every synchronous call is timed: the longest one is how long the main process blocked. */
function timedCache(cache: SeriesCache, calls: number[]): SeriesCache {
  const time =
    <A extends unknown[], R>(fn: (...a: A) => R) =>
    (...a: A): R => {
      const t0 = performance.now();
      try {
        return fn(...a);
      } finally {
        calls.push(performance.now() - t0);
      }
    };
  return { ...cache, putPage: time(cache.putPage), compact: time(cache.compact), markSynced: time(cache.markSynced) };
}

/** Hourly rows for 12 keys over `days` before `before`, with realistic hour-sized sketches. */
function syntheticHours(before: number, days: number): RollupRow[] {
  const keys = ['chat', 'search', 'summarise', 'triage'].flatMap((service) =>
    [
      ['openai', 'gpt-4o'],
      ['anthropic', 'claude-sonnet-4'],
      ['google', 'gemini-2.5-flash'],
    ].map(([provider, model]) => ({ service, provider: provider as string, model: model as string })),
  );
  const rows: RollupRow[] = [];
  const first = Math.floor((before - days * DAY_MS) / HOUR_MS) * HOUR_MS;
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let t = first; t < before; t += HOUR_MS) {
    for (const k of keys) {
      const s = newSketch();
      for (let i = 0; i < 600; i++) s.accept(300 * Math.exp(rand() * 2.5));
      rows.push({
        t,
        ...k,
        count: 600,
        errors: 6,
        tokensIn: 60_000,
        tokensOut: 30_000,
        costUsd: 1.2,
        unpriced: 0,
        retrievalHits: 50,
        retrievalMisses: 5,
        feedbackUp: 9,
        feedbackDown: 1,
        outputLabels: { answer: 500, refusal: 100 },
        latency: encodeSketch(s),
      });
    }
  }
  return rows;
}

/** Every query the Charts view makes for one range, each timed; the range moves by a minute per round, as a live view does. */
function measureQueries(cache: SeriesCache, now: number, rangeMs: number, rounds: number): Map<string, number[]> {
  const times = new Map<string, number[]>();
  for (let r = 0; r < rounds; r++) {
    const toMs = Math.floor(now / 60_000) * 60_000 - r * 60_000;
    for (const panel of PANELS) {
      const t0 = performance.now();
      for (const q of panel.queries) {
        const p: SeriesQueryParams = { metric: q.metric, fromMs: toMs - rangeMs, toMs, ...(q.by ? { by: q.by } : {}) };
        const t1 = performance.now();
        cache.query(p, now);
        const label = `${q.metric}${q.by ? ` by ${q.by}` : ''}`;
        times.set(label, [...(times.get(label) ?? []), performance.now() - t1]);
      }
      if (panel.queries.length > 1)
        times.set(`${panel.id} panel (all calls)`, [
          ...(times.get(`${panel.id} panel (all calls)`) ?? []),
          performance.now() - t0,
        ]);
    }
    // A filtered view (one service) for the latency panel, as the filter bar makes.
    const t2 = performance.now();
    cache.query({ metric: 'latency_p95', fromMs: toMs - rangeMs, toMs, service: 'chat' }, now);
    times.set('latency_p95 service=chat', [...(times.get('latency_p95 service=chat') ?? []), performance.now() - t2]);
  }
  return times;
}

function report(title: string, byRange: [string, Map<string, number[]>][]): void {
  const rows: Record<string, string>[] = [];
  for (const [range, times] of byRange) {
    for (const [query, ms] of times)
      rows.push({
        range,
        query,
        'p50 ms': fmt(percentile(ms, 50), 2),
        'p95 ms': fmt(percentile(ms, 95), 2),
        'max ms': fmt(Math.max(...ms), 2),
      });
  }
  printTable(title, rows);
}

export async function benchCharts(opts: { rounds: number }): Promise<void> {
  const collector = await startCollector();
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-charts-'));
  try {
    await simulateDay(collector);
    const cache = openCache(join(dir, 'cache.db'), { now: new Date().toISOString() });
    const charts = openSeriesCache(cache.path);
    const calls: number[] = [];
    const ready = { isReady: () => true, onReady: () => () => {} };
    const sync = new SeriesSync({
      collectorUrl: collector.url,
      token: collector.token,
      cache: timedCache(charts, calls),
      connection: ready,
    });
    const t0 = performance.now();
    await sync.syncNow();
    const firstSync = performance.now() - t0;
    sync.dispose();
    const keys = charts.catalog().keys.length;
    printTable('Charts: first sync of the simulated day', [
      {
        'wall ms': fmt(firstSync, 0),
        'cache calls': calls.length,
        'longest call ms': fmt(Math.max(...calls), 1),
        keys,
      },
    ]);

    const now = Date.now();
    const day: [string, Map<string, number[]>][] = [];
    for (const [name, ms] of [
      ['1h', HOUR_MS],
      ['6h', 6 * HOUR_MS],
      ['24h', DAY_MS],
    ] as const)
      day.push([name, measureQueries(charts, now, ms, opts.rounds)]);
    report('Charts: series.query on the simulated day (target p95 < 50 ms)', day);

    const hours = syntheticHours(now - 2 * DAY_MS, 29);
    const putTimes: number[] = [];
    for (let i = 0; i < hours.length; i += 500) {
      const t1 = performance.now();
      charts.putPage(HOUR_MS, hours.slice(i, i + 500), []);
      putTimes.push(performance.now() - t1);
    }
    const month: [string, Map<string, number[]>][] = [];
    for (const [name, ms] of [
      ['7d', 7 * DAY_MS],
      ['30d', 30 * DAY_MS],
    ] as const)
      month.push([name, measureQueries(charts, now, ms, opts.rounds)]);
    report(
      `Charts: series.query with 29 synthetic days of hours added (${hours.length} rows; longest 500-row put ${fmt(Math.max(...putTimes), 1)} ms; target p95 < 100 ms)`,
      month,
    );
    charts.close();
    cache.close();
  } finally {
    await collector.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('bench/charts.ts'))
  await benchCharts({ rounds: process.argv.includes('--quick') ? 10 : 40 });

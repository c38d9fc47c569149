import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAppServices, silentLogger, type AppServices } from '../electron/main/services/index.js';
import { minuteFloor } from '../shared/clock.js';
import type { LlmEventInput } from '../shared/protocol/events.js';
import { startCollector, type CollectorHandle } from '../test/fixtures/collector.js';
import { seedAlertLog } from '../test/integration/sync-helpers.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Sync figures (issue 5):
 * - catch-up: a desktop that missed 10,000 log events connects; time until all are in its cache
 *   (target < 1 s);
 * - fan-out: from the start of the HTTP ingest request that fires an alert to that alert being in
 *   each of 50 connected desktops' SQLite caches (target p99 < 50 ms). All 50 desktops run in this
 *   one process, so their cache writes queue behind each other: a pessimistic setup.
 */
const CATCH_UP_EVENTS = 10_000;
const CLIENTS = 50;

// Fires on the first evaluated minute with ≥ 5 samples over 5 % errors, evaluated as soon as the
// next minute has data: one small POST fires one alert.
const FANOUT_CONFIG = `
rules:
  allowedLateness: 0s
  errorRate:
    window: 1m
    minSamples: 5
    for: 0s
`;

function desktop(c: CollectorHandle, user: string, dirs: string[]): AppServices {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-desktop-'));
  dirs.push(dataDir);
  return createAppServices({ collectorUrl: c.url, collectorToken: c.token, user, dataDir, log: silentLogger });
}

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

async function benchCatchUp(runs: number): Promise<number[]> {
  const collectorDir = mkdtempSync(join(tmpdir(), 'vigil-bench-catchup-'));
  seedAlertLog(collectorDir, CATCH_UP_EVENTS, { alerts: 200, now: Date.now() });
  const c = await startCollector({ dataDir: collectorDir });
  const times: number[] = [];
  try {
    for (let r = 0; r < runs; r++) {
      const dirs: string[] = [];
      const app = desktop(c, `catchup-${r}`, dirs);
      const t0 = performance.now();
      app.start();
      await waitFor(() => app.cache.syncState().lastSeq >= CATCH_UP_EVENTS, 30_000, 'catch-up');
      times.push(performance.now() - t0);
      app.dispose();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  } finally {
    await c.stop();
    rmSync(collectorDir, { recursive: true, force: true });
  }
  return times;
}

function firingBatch(k: number, minute: number): LlmEventInput[] {
  const events: LlmEventInput[] = [];
  const base = { provider: 'openai', model: 'gpt-4o', latency_ms: 300, input_tokens: 100, output_tokens: 50 } as const;
  for (let i = 0; i < 6; i++) {
    events.push({ ...base, ts: minute + i * 1000, service: `fan-${k}`, status: 'error', error_type: 'timeout' });
  }
  // An event in the next minute moves the watermark, so minute `minute` is evaluated now.
  events.push({ ...base, ts: minute + 61_000, service: 'fan-clock', status: 'ok' });
  return events;
}

async function benchFanOut(rounds: number): Promise<{ latencies: number[]; ingest: number[]; spread: number[] }> {
  const c = await startCollector({ configYaml: FANOUT_CONFIG });
  const dirs: string[] = [];
  const apps = Array.from({ length: CLIENTS }, (_, i) => desktop(c, `fan-${i}`, dirs));
  const latencies: number[] = [];
  const ingest: number[] = [];
  // First to last client, per alert: the desktop side of fan-out, without the collector's ingest.
  const spread: number[] = [];
  try {
    for (const a of apps) a.start();
    await waitFor(() => apps.every((a) => a.sync.status().state === 'connected'), 30_000, 'clients to connect');
    const start = minuteFloor(Date.now()) - 3 * 60 * 60_000;
    for (let k = 0; k < rounds; k++) {
      const service = `fan-${k}`;
      const arrived = new Map<number, number>();
      const unsubscribe = apps.map((a, i) =>
        a.sync.onAlertsChanged(() => {
          if (!arrived.has(i) && a.cache.listAlerts('firing').some((al) => al.labels.service === service)) {
            arrived.set(i, performance.now());
          }
        }),
      );
      const body = JSON.stringify(firingBatch(k, start + k * 2 * 60_000));
      const t0 = performance.now();
      const res = await fetch(`${c.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
        body,
      });
      await res.arrayBuffer();
      ingest.push(performance.now() - t0);
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
      await waitFor(() => arrived.size === CLIENTS, 10_000, `round ${k} to reach every client`);
      for (const t of arrived.values()) latencies.push(t - t0);
      spread.push(Math.max(...arrived.values()) - Math.min(...arrived.values()));
      for (const u of unsubscribe) u();
    }
  } finally {
    for (const a of apps) a.dispose();
    await c.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  return { latencies, ingest, spread };
}

export async function benchSync(opts: { rounds: number; catchUpRuns: number }): Promise<void> {
  const catchUp = await benchCatchUp(opts.catchUpRuns);
  printTable(`sync catch-up: ${fmt(CATCH_UP_EVENTS, 0)} missed events into an empty cache (target < 1000 ms)`, [
    {
      runs: catchUp.length,
      'best ms': fmt(Math.min(...catchUp)),
      'median ms': fmt(percentile(catchUp, 50)),
      'worst ms': fmt(Math.max(...catchUp)),
      'events/s (median)': fmt(CATCH_UP_EVENTS / (percentile(catchUp, 50) / 1000), 0),
    },
  ]);
  const { latencies, ingest, spread } = await benchFanOut(opts.rounds);
  printTable(`sync fan-out: ingest that fires an alert → in each of ${CLIENTS} clients' caches (target p99 < 50 ms)`, [
    {
      samples: latencies.length,
      'p50 ms': fmt(percentile(latencies, 50)),
      'p99 ms': fmt(percentile(latencies, 99)),
      'max ms': fmt(Math.max(...latencies)),
      'ingest request p50 ms': fmt(percentile(ingest, 50)),
      'first→last client p99 ms': fmt(percentile(spread, 99)),
    },
  ]);
}

import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAppServices, silentLogger, type AppServices } from '../electron/main/services/index.js';
import { minuteFloor } from '../shared/clock.js';
import type { LlmEventInput } from '../shared/protocol/events.js';
import { FAST_ERROR_RATE_RULES, startCollector, type CollectorHandle } from '../test/fixtures/collector.js';
import { seedAlertLog } from '../test/integration/sync-helpers.js';
import WebSocket from 'ws';
import { ServerFrame } from '../shared/protocol/stream.js';
import { PROTOCOL_VERSION } from '../shared/protocol/version.js';
import { fmt, percentile, printTable } from './stats.js';
import type { FromWorker } from './sync-fanout-worker.js';

/**
 * Sync figures (issue 5):
 * - catch-up: a desktop that missed 10,000 log events connects; time until all are in its cache
 *   (target < 1 s);
 * - fan-out: from the start of the HTTP ingest request that fires an alert to that alert being in
 *   each of 50 connected desktops' SQLite caches (target p99 < 50 ms), split into the collector's
 *   share (request → frame at a raw stream peer) and the desktop's (frame → cache commit).
 */
const CATCH_UP_EVENTS = 10_000;
const CLIENTS = 50;
/**
 * Fifty desktops are fifty machines. Here they share the bench's cores, in one worker process per
 * core (more processes than cores only adds context switches; `processes` overrides it); each
 * client still has its own socket and its own SQLite file.
 */
const FANOUT_PROCESSES = availableParallelism();
/** The earlier layout (5 processes), printed beside it when the machine has fewer cores. */
const CROWDED_PROCESSES = 5;
/** Rounds run first and reported apart: the first alert pays for JIT warm-up in every process. */
const WARMUP_ROUNDS = 2;
const WORKER = join(import.meta.dirname, 'sync-fanout-worker.ts');
const wallNow = (): number => performance.timeOrigin + performance.now();

// One small POST fires one alert.
const FANOUT_CONFIG = `\n${FAST_ERROR_RATE_RULES}`;

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

/** A raw stream peer in this (otherwise idle) process: when the collector sent the round's frame. */
async function openProbe(c: CollectorHandle, seen: Map<string, number>): Promise<WebSocket> {
  const ws = new WebSocket(`${c.url.replace('http', 'ws')}/v1/stream`, {
    headers: { authorization: `Bearer ${c.token}` },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', user: 'probe', lastSeq: 0, protocol: PROTOCOL_VERSION }));
  ws.on('message', (data) => {
    const at = wallNow();
    const frame = ServerFrame.safeParse(JSON.parse(String(data)));
    if (frame.success && frame.data.type === 'event' && frame.data.kind === 'fired') {
      const service = frame.data.alert.labels.service;
      if (service !== undefined && !seen.has(service)) seen.set(service, at);
    }
  });
  return ws;
}

class Workers {
  private readonly procs: ChildProcess[] = [];
  private readonly waiting = new Map<string, { count: number; got: FromWorker[]; done: (m: FromWorker[]) => void }>();

  constructor(n: number) {
    for (let i = 0; i < n; i++) {
      const p = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      p.on('message', (m: FromWorker) => {
        const w = this.waiting.get(m.type);
        if (!w) return;
        w.got.push(m);
        if (w.got.length === w.count) {
          this.waiting.delete(m.type);
          w.done(w.got);
        }
      });
      this.procs.push(p);
    }
  }

  /** Sends one message to each worker (`each(i)`, if given) and waits for a `reply` from every one. */
  async all(reply: FromWorker['type'], each?: (i: number) => object, timeoutMs = 30_000): Promise<FromWorker[]> {
    const got = new Promise<FromWorker[]>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`bench: workers did not answer ${reply}`)), timeoutMs);
      this.waiting.set(reply, { count: this.procs.length, got: [], done: (m) => (clearTimeout(timer), done(m)) });
    });
    if (each) this.procs.forEach((p, i) => p.send(each(i)));
    return got;
  }

  /** Gives each worker a moment to exit on its own (after `close`), then kills what is left. */
  async stop(): Promise<void> {
    await Promise.all(
      this.procs.map(async (p) => {
        if (p.exitCode !== null || p.signalCode !== null) return;
        const exited = new Promise((r) => p.once('exit', r));
        const timer = setTimeout(() => p.kill('SIGKILL'), 2_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

export interface FanOutFigures {
  /** Per client and round: ingest request start → the alert committed in that client's cache. */
  latencies: number[];
  /** Request start → the collector's answer. */
  ingest: number[];
  /** Request start → the frame reaching a raw stream peer: the collector's share. */
  collector: number[];
  /** Frame at the probe → committed in a client: the wire and the desktop's share. */
  client: number[];
  /** The cache transaction alone (applyEvents), per client. */
  apply: number[];
  /** First to last client, per round. */
  spread: number[];
  /** Warm-up rounds (cold JIT in every process): slowest client, not in the figures above. */
  warmup: number[];
  /** CPU time the desktops spent per client and alert (everything their processes did meanwhile). */
  cpuPerClient: number[];
}

async function benchFanOut(rounds: number, processes: number): Promise<FanOutFigures> {
  const c = await startCollector({
    configYaml: FANOUT_CONFIG,
    env: process.env.BENCH_COLLECTOR_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_COLLECTOR_NODE_OPTIONS } : {},
  });
  const workers = new Workers(processes);
  const probed = new Map<string, number>();
  const probe = await openProbe(c, probed);
  const f: FanOutFigures = {
    latencies: [],
    ingest: [],
    collector: [],
    client: [],
    apply: [],
    spread: [],
    warmup: [],
    cpuPerClient: [],
  };
  try {
    const users = Array.from({ length: CLIENTS }, (_, i) => `fan-${i}`);
    await workers.all('connected', (i) => ({
      type: 'open',
      url: c.url,
      token: c.token,
      users: users.filter((_, u) => u % processes === i),
    }));
    // Each round is 2 minutes of event time, all of it in the past: the collector refuses event
    // times ahead of its clock and evaluates no minute its clock has not reached.
    const start = minuteFloor(Date.now()) - ((WARMUP_ROUNDS + rounds) * 2 + 10) * 60_000;
    for (let k = 0; k < WARMUP_ROUNDS + rounds; k++) {
      const service = `fan-${k}`;
      await workers.all('watching', () => ({ type: 'watch', round: k, service }));
      const arrived = workers.all('arrived', undefined, 10_000);
      const body = JSON.stringify(firingBatch(k, start + k * 2 * 60_000));
      const t0 = wallNow();
      const res = await fetch(`${c.url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
        body,
      });
      await res.arrayBuffer();
      const answered = wallNow() - t0;
      if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
      const replies = (await arrived).flatMap((m) => (m.type === 'arrived' ? [m] : []));
      const arrivals = replies.flatMap((m) => m.arrivals);
      const atProbe = probed.get(service) ?? Number.NaN;
      if (process.env.BENCH_TRACE)
        process.stderr.write(
          `round ${k}: collector ${(atProbe - t0).toFixed(1)} ingest ${answered.toFixed(1)} slowest ${(Math.max(...arrivals.map((a) => a.committed)) - t0).toFixed(1)}\n`,
        );
      if (k < WARMUP_ROUNDS) {
        f.warmup.push(Math.max(...arrivals.map((a) => a.committed)) - t0);
        continue;
      }
      f.ingest.push(answered);
      f.collector.push(atProbe - t0);
      for (const a of arrivals) {
        f.latencies.push(a.committed - t0);
        f.client.push(a.committed - atProbe);
        f.apply.push(a.committed - a.applyStart);
      }
      const done = arrivals.map((a) => a.committed);
      f.spread.push(Math.max(...done) - Math.min(...done));
      f.cpuPerClient.push(replies.reduce((sum, m) => sum + m.cpuMs, 0) / arrivals.length);
    }
    await workers.all('closed', () => ({ type: 'close' }));
  } finally {
    probe.terminate();
    await workers.stop();
    await c.stop();
  }
  return f;
}

export async function benchSync(opts: { rounds: number; catchUpRuns: number; processes?: number }): Promise<void> {
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
  const processes = opts.processes ?? FANOUT_PROCESSES;
  printFanOut(await benchFanOut(opts.rounds, processes), processes);
  // The same desktops squeezed into more processes than cores: the scheduler's share, for comparison.
  if (processes < CROWDED_PROCESSES) printFanOut(await benchFanOut(opts.rounds, CROWDED_PROCESSES), CROWDED_PROCESSES);
}

function printFanOut(f: FanOutFigures, processes: number): void {
  const row = (what: string, xs: number[]) => ({
    'ms, per alert': what,
    p50: fmt(percentile(xs, 50)),
    p99: fmt(percentile(xs, 99)),
    max: fmt(Math.max(...xs)),
  });
  printTable(
    `sync fan-out: ingest that fires an alert → in each of ${CLIENTS} clients' caches, clients in ${processes} processes on ${availableParallelism()} cores (target p99 < 50 ms)`,
    [
      row(`end to end (${f.latencies.length} samples)`, f.latencies),
      row('  collector: request → frame at a stream peer', f.collector),
      row('  desktop: frame at peer → committed in cache', f.client),
      row('    of which the cache transaction', f.apply),
      row('  ingest request (answer)', f.ingest),
      row('  first → last client', f.spread),
      row('desktop CPU per client and alert', f.cpuPerClient),
      row(`warm-up rounds (${WARMUP_ROUNDS}, slowest client; not above)`, f.warmup),
    ],
  );
}

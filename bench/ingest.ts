import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCollector } from '../test/fixtures/collector.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Ingest throughput: NDJSON batches of 1,000 events (~300 B each, with the optional fields real
 * senders add) posted over keep-alive connections by CONCURRENCY senders to (a) a bare node:http
 * server that only splits and parses, and (b) the real collector with every rule active and every
 * event persisted. The ratio is the figure that counts. The client is node:http with a keep-alive
 * Agent (fetch costs several times more CPU per request); its CPU share is printed so a saturated
 * client is visible.
 */
const BATCH = 1_000;
const CONCURRENCY = 4;
const ROOT = resolve(import.meta.dirname, '..');

const SERVICES = ['checkout-assistant-eu', 'support-bot-tier1', 'search-rag-docs', 'code-review-bot'];
const MODELS: [string, string][] = [
  ['openai', 'gpt-4o'],
  ['anthropic', 'claude-sonnet-4'],
  ['google', 'gemini-2.5-flash'],
];
const LABELS = ['answer_with_citations', 'clarifying_question', 'refusal_policy'];
const ERRORS: [string, string][] = [
  ['timeout', 'upstream request timed out after 30000 ms (request id req_8f3a2c)'],
  ['rate_limit', 'Rate limit reached for requests per minute: limit 10000, used 10000'],
];

/**
 * One realistic event: required fields plus output label, retrieval hit, feedback, sender-side
 * cost on some, and a trace id (an unknown field: senders add their own; validation drops it).
 */
export function benchEvent(n: number, ts: number): Record<string, unknown> {
  const [provider, model] = MODELS[n % MODELS.length] ?? ['openai', 'gpt-4o'];
  const input = 400 + (n % 900);
  const output = 80 + (n % 300);
  const error = n % 200 === 0 ? ERRORS[(n / 200) % ERRORS.length] : undefined;
  return {
    ts: new Date(ts).toISOString(),
    trace_id: ((n * 2654435761) >>> 0).toString(16).padStart(8, '0').repeat(4),
    service: SERVICES[n % SERVICES.length],
    provider,
    model,
    latency_ms: 300 + ((n * 7919) % 2500) + (n % 997) / 1000,
    input_tokens: input,
    output_tokens: output,
    ...(n % 3 === 0 ? { cost_usd: Math.round(((input * 2.5 + output * 10) / 1e6) * 1e8) / 1e8 } : {}),
    status: error ? 'error' : 'ok',
    ...(error ? { error_type: error[0], error_message: error[1] } : {}),
    output_label: LABELS[n % LABELS.length],
    ...(n % 4 !== 3 ? { retrieval_hit: n % 11 !== 0 } : {}),
    ...(n % 17 === 0 ? { feedback: n % 34 === 0 ? 'down' : 'up' } : {}),
  };
}

/**
 * Bodies are built once, as Buffers: the load generator then sends bytes without re-encoding
 * strings or holding hundreds of MB of them on its heap, whose GC pauses showed up as the
 * collector's slowest answers.
 */
export function makeBatches(count: number, startMs: number): Buffer[] {
  const out: Buffer[] = [];
  let t = startMs;
  for (let b = 0; b < count; b++) {
    const lines: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      t += 5;
      lines.push(JSON.stringify(benchEvent(b * BATCH + i, t)));
    }
    out.push(Buffer.from(lines.join('\n') + '\n'));
  }
  return out;
}

interface RunResult {
  eventsPerSec: number;
  p50: number;
  p99: number;
  batches: number;
  /** Share of one core the load generator itself used. */
  clientCpu: number;
}

/** One POST over a keep-alive Agent; resolves with the status once the answer is read. */
export function post(agent: Agent, url: URL, token: string, body: string | Buffer): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-ndjson',
          authorization: `Bearer ${token}`,
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => ok(res.statusCode ?? 0));
        res.once('error', fail);
      },
    );
    req.once('error', fail);
    req.end(body);
  });
}

export async function drive(
  base: string,
  token: string,
  batches: readonly Buffer[],
  ratePerSec?: number,
): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL('/v1/events', base);
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  const interval = ratePerSec ? (BATCH / ratePerSec) * 1000 : 0;
  const sender = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const body = batches[i];
      if (body === undefined) return;
      if (interval > 0) {
        const wait = started + i * interval - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      // Open loop: a paced batch's latency counts from when it was due, so a stall that holds
      // back the next sends shows in their latencies (no coordinated omission).
      const t0 = interval > 0 ? Math.min(performance.now(), started + i * interval) : performance.now();
      const status = await post(agent, url, token, body);
      if (status >= 300) throw new Error(`ingest answered ${status}`);
      latencies.push(performance.now() - t0);
    }
  };
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  } finally {
    agent.destroy();
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  return {
    eventsPerSec: (batches.length * BATCH) / (ms / 1000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    batches: batches.length,
    clientCpu: (cpu.user + cpu.system) / 1000 / ms,
  };
}

/** The 50% run is long enough that its p99 is not one or two batches. */
const HALF_LOAD_MIN_BATCHES = 400;
/** The WAL backlog below which the collector counts as settled (the writer's own finishing pass size). */
const SETTLED_BACKLOG_BYTES = 512 * 1024;

/**
 * Waits until the collector's WAL checkpoint has caught up with the full-speed run (read from
 * /metrics), so the 50% run measures steady load rather than the tail of the previous burst.
 */
async function settle(base: string, token: string): Promise<{ ms: number; backlogBytes: number }> {
  const t0 = performance.now();
  const gauge = (text: string, name: string): number =>
    Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  for (;;) {
    const res = await fetch(new URL('/metrics', base), { headers: { authorization: `Bearer ${token}` } });
    const backlogBytes = gauge(await res.text(), 'vigil_wal_backlog_bytes');
    if (backlogBytes <= SETTLED_BACKLOG_BYTES || performance.now() - t0 > 10_000) {
      return { ms: performance.now() - t0, backlogBytes };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startBaseline(): Promise<{ url: string; stop: () => void }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/baseline-server.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((ok, fail) => {
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (s: string) => {
      const m = /listening on (http:\/\/\S+)/.exec(s);
      if (m?.[1]) ok(m[1]);
    });
    proc.once('exit', () => fail(new Error('baseline server exited')));
  });
  return { url, stop: () => proc.kill('SIGTERM') };
}

export async function benchIngest(opts: { batches: number }): Promise<void> {
  // Event time runs on continuously (5 ms an event) from warm-up through both runs, like live
  // traffic: a jump would make the rule engine catch up on days of minutes inside one batch.
  const start = Date.UTC(2026, 10, 1);
  const span = BATCH * 5;
  const warmup = makeBatches(10, start - 10 * span);
  const batches = makeBatches(opts.batches, start);
  // Built up front too: generating them between the runs left the client collecting garbage
  // during the 50% run.
  const halfBatches = makeBatches(Math.max(opts.batches * 2, HALF_LOAD_MIN_BATCHES), start + opts.batches * span);
  const bytes = batches.reduce((n, b) => n + b.length, 0) / (batches.length * BATCH);

  const baseline = await startBaseline();
  await drive(baseline.url, 'x', warmup);
  const base = await drive(baseline.url, 'x', batches);
  baseline.stop();

  const collector = await startCollector();
  try {
    await drive(collector.url, collector.token, warmup);
    const full = await drive(collector.url, collector.token, batches);
    const settled = await settle(collector.url, collector.token);
    const half = await drive(collector.url, collector.token, halfBatches, full.eventsPerSec / 2);
    const row = (server: string, r: RunResult) => ({
      server,
      'events/s': fmt(r.eventsPerSec, 0),
      'p50 ms': fmt(r.p50),
      'p99 ms': fmt(r.p99),
      batches: r.batches,
      'client CPU': `${fmt(r.clientCpu * 100, 0)}%`,
    });
    printTable(`Ingest: NDJSON batches of ${BATCH} (~${fmt(bytes, 0)} B/event), ${CONCURRENCY} keep-alive senders`, [
      row('bare node:http (split + JSON.parse)', base),
      row('collector (validate, persist, rollup, rules)', full),
      row('collector at 50% of its max rate', half),
    ]);
    process.stdout.write(`collector / baseline throughput ratio: ${fmt(full.eventsPerSec / base.eventsPerSec, 2)}\n`);
    process.stdout.write(
      `between the runs the WAL checkpoint caught up in ${fmt(settled.ms, 0)} ms (backlog ${fmt(settled.backlogBytes / 1024, 0)} KiB)\n`,
    );
  } finally {
    await collector.stop();
  }
}

import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startCollector } from '../test/fixtures/collector.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Ingest throughput: NDJSON batches of 1,000 events (~300 B each) posted by 4 concurrent
 * senders to (a) a bare node:http server that only splits and parses, and (b) the real
 * collector with its rules active and every event persisted. The ratio is the figure that counts.
 */
const BATCH = 1_000;
const CONCURRENCY = 4;
const ROOT = resolve(import.meta.dirname, '..');

function makeBatches(count: number, startMs: number): string[] {
  const services = ['checkout-assistant', 'support-bot', 'search-rag', 'code-review'];
  const models: [string, string][] = [
    ['openai', 'gpt-4o'],
    ['anthropic', 'claude-sonnet-4'],
    ['google', 'gemini-2.5-flash'],
  ];
  const out: string[] = [];
  let t = startMs;
  for (let b = 0; b < count; b++) {
    const lines: string[] = [];
    for (let i = 0; i < BATCH; i++) {
      t += 5;
      const [provider, model] = models[(b + i) % models.length] ?? ['openai', 'gpt-4o'];
      lines.push(
        JSON.stringify({
          ts: new Date(t).toISOString(),
          service: services[i % services.length],
          provider,
          model,
          latency_ms: 300 + ((i * 7919) % 2500),
          input_tokens: 400 + (i % 900),
          output_tokens: 80 + (i % 300),
          status: i % 200 === 0 ? 'error' : 'ok',
          ...(i % 200 === 0 ? { error_type: 'timeout' } : {}),
          output_label: ['answer', 'clarify', 'refusal'][i % 3],
        }),
      );
    }
    out.push(lines.join('\n') + '\n');
  }
  return out;
}

interface RunResult {
  eventsPerSec: number;
  p50: number;
  p99: number;
  batches: number;
}

async function drive(url: string, token: string, batches: readonly string[], ratePerSec?: number): Promise<RunResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const interval = ratePerSec ? (BATCH / ratePerSec) * 1000 : 0;
  const sender = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      const body = batches[i];
      if (body === undefined) return;
      if (interval > 0) {
        const due = started + i * interval;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const t0 = performance.now();
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${token}` },
        body,
      });
      await res.arrayBuffer();
      if (res.status >= 300) throw new Error(`ingest answered ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  const seconds = (performance.now() - started) / 1000;
  return { eventsPerSec: (batches.length * BATCH) / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), batches: batches.length };
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
  const batches = makeBatches(opts.batches, Date.UTC(2026, 10, 1));
  const bytes = batches.reduce((n, b) => n + b.length, 0) / (batches.length * BATCH);

  const baseline = await startBaseline();
  await drive(baseline.url, 'x', batches.slice(0, 10)); // warm-up
  const base = await drive(baseline.url, 'x', batches);
  baseline.stop();

  const collector = await startCollector();
  try {
    await drive(collector.url, collector.token, makeBatches(10, Date.UTC(2026, 9, 1))); // warm-up
    const full = await drive(collector.url, collector.token, batches);
    const half = await drive(collector.url, collector.token, makeBatches(Math.min(opts.batches, 100), Date.UTC(2026, 10, 20)), full.eventsPerSec / 2);
    printTable(`Ingest: NDJSON batches of ${BATCH} (~${fmt(bytes, 0)} B/event), ${CONCURRENCY} senders`, [
      { server: 'bare node:http (split + JSON.parse)', 'events/s': fmt(base.eventsPerSec, 0), 'p50 ms': fmt(base.p50), 'p99 ms': fmt(base.p99), batches: base.batches },
      { server: 'collector (validate, persist, rollup, rules)', 'events/s': fmt(full.eventsPerSec, 0), 'p50 ms': fmt(full.p50), 'p99 ms': fmt(full.p99), batches: full.batches },
      { server: 'collector at 50% of its max rate', 'events/s': fmt(half.eventsPerSec, 0), 'p50 ms': fmt(half.p50), 'p99 ms': fmt(half.p99), batches: half.batches },
    ]);
    process.stdout.write(`collector / baseline throughput ratio: ${fmt(full.eventsPerSec / base.eventsPerSec, 2)}\n`);
  } finally {
    await collector.stop();
  }
}

import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startCollector } from '../test/fixtures/collector.js';
import { benchEvent, post } from './ingest.js';
import { fmt, printTable } from './stats.js';

/**
 * Collector RSS after N events (target: < 250 MB after 5,000,000) — the real process (launched
 * with COLLECTOR_NODE_FLAGS, like every launcher), every rule active, NDJSON batches of 1,000
 * bench events (~300 B, see ingest.ts) from 4 keep-alive senders, event time advancing ~5 ms per
 * event (a 7 h span at 5M), so minute buckets, scopes and the rule engine all grow as they would
 * live. Bounded in time: stops at `maxSeconds` and reports how far it got.
 */
export async function benchRss(opts: { events: number; maxSeconds: number }): Promise<void> {
  const c = await startCollector();
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  const url = new URL('/v1/events', c.url);
  const start = Date.UTC(2026, 11, 1);
  let sent = 0;
  let next = 0;
  const batches = Math.ceil(opts.events / 1000);
  const t0 = performance.now();
  const rss = async (): Promise<number> => {
    const text = await (await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.token}` } })).text();
    return Number(/process_resident_memory_bytes (\d+)/.exec(text)?.[1] ?? NaN) / 1024 / 1024;
  };
  const samples: { events: string; 'rss MB': string }[] = [];
  try {
    const sender = async (): Promise<void> => {
      for (;;) {
        const b = next++;
        if (b >= batches || (performance.now() - t0) / 1000 > opts.maxSeconds) return;
        const lines: string[] = [];
        for (let i = 0; i < 1000; i++) {
          const n = b * 1000 + i;
          lines.push(JSON.stringify(benchEvent(n, start + n * 5)));
        }
        const status = await post(agent, url, c.token, lines.join('\n'));
        if (status !== 200) throw new Error(`ingest answered ${status}`);
        sent += 1000;
        if (sent % 1_000_000 === 0) samples.push({ events: fmt(sent, 0), 'rss MB': fmt(await rss(), 1) });
      }
    };
    await Promise.all(Array.from({ length: 4 }, sender));
    const seconds = (performance.now() - t0) / 1000;
    samples.push({
      events: `${fmt(sent, 0)} (end, ${fmt(seconds, 0)} s, ${fmt(sent / seconds, 0)}/s)`,
      'rss MB': fmt(await rss(), 1),
    });
    printTable(`Collector RSS while ingesting up to ${fmt(opts.events, 0)} events (target < 250 MB at 5M)`, samples);
  } finally {
    agent.destroy();
    await c.stop();
  }
}

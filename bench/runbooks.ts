import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { CacheCheckpointer, openCache } from '../electron/main/services/cache/index.js';
import { silentLogger } from '../electron/main/services/runtime.js';
import { openRunbookCache } from '../electron/main/services/runbooks/index.js';
import { parseRunbook, toTree } from '../shared/runbooks/parse.js';
import type { RunbookDoc } from '../shared/runbooks/schema.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Offline runbook search: FTS5 over 2,000 runbooks in a temp app cache (brief: p95 < 5 ms).
 * The synthetic runbooks are the bundled ones re-mixed (steps shuffled between files, services
 * and providers renamed) so the index has realistic vocabulary and size.
 */
const ROOT = resolve(import.meta.dirname, '..');
const SERVICES = ['checkout', 'support-chat', 'search', 'summarise', 'triage', 'billing-bot', 'docs-qa', 'agent'];
const PROVIDERS = ['openai', 'anthropic', 'azure', 'bedrock', 'vertex', 'mistral'];
const QUERIES = [
  'backoff',
  'retry loop',
  'status page',
  'kubectl rollout',
  'p95 latency',
  'rate limit 429',
  'index drift',
  'refus',
  'postmortem timeline',
  'quota',
  'embedding model',
  'customer comms',
  'chunking bug',
  'checkout openai',
  'cache warm',
];

function bundled(): RunbookDoc[] {
  const dir = join(ROOT, 'runbooks');
  return readdirSync(dir)
    .filter((n) => n.endsWith('.md') && n !== 'README.md')
    .map((n) => {
      const text = readFileSync(join(dir, n), 'utf8');
      const p = parseRunbook(n, text);
      if (!p.meta) throw new Error(`bundled runbook ${n} does not parse`);
      return {
        id: p.meta.id,
        title: p.meta.title,
        tier: p.meta.tier,
        serves: p.meta.serves,
        version: 'v',
        meta: p.meta,
        markdown: text,
        tree: toTree(p),
      };
    });
}

function synthetic(base: RunbookDoc[], n: number): RunbookDoc[] {
  const out: RunbookDoc[] = [];
  for (let i = 0; i < n; i++) {
    const a = base[i % base.length] as RunbookDoc;
    const b = base[(i * 7 + 3) % base.length] as RunbookDoc;
    const service = SERVICES[i % SERVICES.length] as string;
    const provider = PROVIDERS[(i >> 3) % PROVIDERS.length] as string;
    const id = `${a.id}-${service}-${i}`;
    const steps = [...a.tree.steps, ...b.tree.steps.slice(0, 2)].map((s, k) => ({
      ...s,
      id: String(k + 1),
      blocks: s.blocks.map((bl) =>
        bl.kind === 'markdown' ? { ...bl, text: `${bl.text} (${service} on ${provider})` } : bl,
      ),
    }));
    const title = `${a.title} (${service}, ${provider})`;
    out.push({
      ...a,
      id,
      title,
      version: createHash('sha1').update(id).digest('hex').slice(0, 16),
      meta: { ...a.meta, id, title },
      tree: { intro: a.tree.intro, steps },
    });
  }
  return out;
}

export async function benchRunbooks(opts: { runbooks: number; queries: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-runbooks-'));
  const cache = openCache(join(dir, 'cache.db'), { now: new Date().toISOString() });
  const runbooks = openRunbookCache(cache.path);
  try {
    const docs = synthetic(bundled(), opts.runbooks);
    const t0 = performance.now();
    runbooks.put(docs, new Date().toISOString());
    const loadMs = performance.now() - t0;
    // As in the app: its CacheCheckpointer copies the new index out of the WAL on the next quiet
    // tick (a second later), so searches read the database file rather than a long WAL.
    const checkpointer = new CacheCheckpointer({
      path: cache.path,
      timers: { setTimeout: () => null, clearTimeout: () => undefined },
      log: silentLogger,
    });
    checkpointer.start();
    checkpointer.tick();
    checkpointer.dispose();
    for (const q of QUERIES) runbooks.search(q); // warm the page cache and statements
    const times: number[] = [];
    let hits = 0;
    for (let i = 0; i < opts.queries; i++) {
      const q = QUERIES[i % QUERIES.length] as string;
      const s = performance.now();
      hits += runbooks.search(q).length;
      times.push(performance.now() - s);
    }
    const p95 = percentile(times, 95);
    printTable(`runbook search: FTS5 over ${fmt(opts.runbooks, 0)} runbooks (target p95 < 5 ms)`, [
      {
        runbooks: opts.runbooks,
        'index build ms': fmt(loadMs, 0),
        queries: opts.queries,
        'avg hits': fmt(hits / opts.queries, 1),
        'p50 ms': fmt(percentile(times, 50), 2),
        'p95 ms': fmt(p95, 2),
        'p99 ms': fmt(percentile(times, 99), 2),
        'max ms': fmt(Math.max(...times), 2),
        verdict: p95 < 5 ? 'ok' : 'OVER TARGET',
      },
    ]);
  } finally {
    runbooks.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

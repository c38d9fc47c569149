import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, MINUTE_MS, systemClock } from '../../shared/clock.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { PricedEvent } from '../../electron/collector/store/store.js';

/**
 * Every ```sql block of every runbook runs against a real collector database (all migrations,
 * stored batches): it parses, answers, reads only recent batches through the batch_max_ts index
 * when it queries `events`, and counts only the events inside its time bound.
 */
const RUNBOOKS = resolve(import.meta.dirname, '../../runbooks');

interface Block {
  file: string;
  sql: string;
}

function sqlBlocks(): Block[] {
  const out: Block[] = [];
  for (const file of readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md') && f !== 'README.md')) {
    const text = readFileSync(join(RUNBOOKS, file), 'utf8');
    for (const m of text.matchAll(/```sql\n([\s\S]*?)```/g)) out.push({ file, sql: (m[1] ?? '').trim() });
  }
  return out;
}

function events(n: number, ts: number, service: string): PricedEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    event: {
      ts: ts + i,
      service,
      provider: 'openai',
      model: 'gpt-4o',
      latency_ms: 900,
      input_tokens: 400,
      output_tokens: 100,
      status: i % 2 === 0 ? ('error' as const) : ('ok' as const),
      ...(i % 2 === 0 ? { error_type: 'timeout', error_message: 'upstream timed out' } : {}),
      output_label: 'answer',
      feedback: 'down' as const,
    },
    costUsd: 0.01,
  }));
}

let dir: string;
let db: Database.Database;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-runbook-sql-'));
  const file = join(dir, 'collector.db');
  const store = openStore(file, 0);
  const now = systemClock.now();
  // Old history (21 days ago, past every runbook's bound) in many batches, then 5 recent events.
  for (let b = 0; b < 50; b++) {
    const at = now - 21 * DAY_MS + b * MINUTE_MS;
    store.ingestBatch(events(20, at, 'old-svc'), [], at, at + 19);
  }
  const recent = now - 5 * MINUTE_MS;
  store.ingestBatch(events(5, recent, 'recent-svc'), [], recent, recent + 4);
  store.close();
  db = new Database(file, { readonly: true });
});

afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runbook SQL', () => {
  const blocks = sqlBlocks();

  it('finds the queries (one per runbook that investigates in the database)', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(10);
  });

  it.each(blocks.map((b, i) => [`${b.file} #${i}`, b] as const))('%s runs and reads only what it asks for', (_, b) => {
    const params = b.sql.includes(':alert_id') ? { alert_id: 'no-such-alert' } : {};
    const rows = db.prepare(b.sql).all(params) as Record<string, unknown>[];
    if (!/\bFROM events\b/.test(b.sql)) return;
    // Bounded by time twice: the index narrows the batches, `ts` the events.
    expect(b.sql).toMatch(/batch_max_ts > \(strftime\('%s','now'\) - [^)]+\) \* 1000 AND ts > /);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${b.sql}`).all(params) as { detail: string }[])
      .map((r) => r.detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH b USING INDEX event_batches_max_ts/);
    expect(plan).not.toMatch(/SCAN b\b/);
    // Nothing from three weeks ago leaks in.
    expect(JSON.stringify(rows)).not.toContain('old-svc');
  });

  it('a bounded query counts exactly the recent events', () => {
    const rateLimiting = blocks.find((b) => b.file === 'rate-limiting.md');
    expect(rateLimiting).toBeDefined();
    const rows = db.prepare(rateLimiting!.sql).all() as { service: string; requests: number; errors: number }[];
    expect(rows).toEqual([expect.objectContaining({ service: 'recent-svc', requests: 5, errors: 3 })]);
  });
});

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyBucket } from '../../shared/rollup/bucket.js';
import { migrate } from '../../electron/collector/store/migrate.js';
import { MIGRATIONS } from '../../electron/collector/store/migrations/index.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { PricedEvent } from '../../electron/collector/store/store.js';

/** Migration 0006 (events stored one row per batch, `events` a view) and event retention over it. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-fast-store-'));
  dirs.push(d);
  return d;
}

const base = { latency_ms: 120.5, input_tokens: 10, output_tokens: 20, status: 'ok' as const };
function priced(ts: number, over: Partial<PricedEvent['event']> = {}, costUsd: number | null = 0.25): PricedEvent {
  return { event: { ts, service: 'svc', provider: 'openai', model: 'gpt-4o', ...base, ...over }, costUsd };
}

const COLUMNS =
  'ts, received_at, service, provider, model, latency_ms, input_tokens, output_tokens, cost_usd, unpriced, status, error_type, error_message, output_label, retrieval_hit, feedback';

describe('event batches (migration 0006)', () => {
  it('the events view gives back every column of every event, in order', () => {
    const file = join(tmp(), 'c.db');
    const store = openStore(file);
    const events = [
      priced(1_000),
      priced(
        2_000,
        {
          service: 'other "quoted" ✓',
          model: 'claude-sonnet-4',
          status: 'error',
          error_type: 'timeout',
          error_message: 'took 30 s',
          output_label: 'answer',
          retrieval_hit: false,
          feedback: 'down',
        },
        null,
      ),
      priced(3_000, { retrieval_hit: true, feedback: 'up' }),
    ];
    store.ingestBatch(events, [], 42, 3_000);
    store.ingestBatch([priced(500)], [], 43, 500);
    expect(store.stats().events).toBe(4);
    store.close();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare(`SELECT ${COLUMNS} FROM events ORDER BY batch_id, ts`).all();
    db.close();
    expect(rows).toEqual([
      {
        ts: 1000,
        received_at: 42,
        service: 'svc',
        provider: 'openai',
        model: 'gpt-4o',
        latency_ms: 120.5,
        input_tokens: 10,
        output_tokens: 20,
        cost_usd: 0.25,
        unpriced: 0,
        status: 'ok',
        error_type: null,
        error_message: null,
        output_label: null,
        retrieval_hit: null,
        feedback: null,
      },
      {
        ts: 2000,
        received_at: 42,
        service: 'other "quoted" ✓',
        provider: 'openai',
        model: 'claude-sonnet-4',
        latency_ms: 120.5,
        input_tokens: 10,
        output_tokens: 20,
        cost_usd: null,
        unpriced: 1,
        status: 'error',
        error_type: 'timeout',
        error_message: 'took 30 s',
        output_label: 'answer',
        retrieval_hit: 0,
        feedback: 'down',
      },
      {
        ts: 3000,
        received_at: 42,
        service: 'svc',
        provider: 'openai',
        model: 'gpt-4o',
        latency_ms: 120.5,
        input_tokens: 10,
        output_tokens: 20,
        cost_usd: 0.25,
        unpriced: 0,
        status: 'ok',
        error_type: null,
        error_message: null,
        output_label: null,
        retrieval_hit: 1,
        feedback: 'up',
      },
      {
        ts: 500,
        received_at: 43,
        service: 'svc',
        provider: 'openai',
        model: 'gpt-4o',
        latency_ms: 120.5,
        input_tokens: 10,
        output_tokens: 20,
        cost_usd: 0.25,
        unpriced: 0,
        status: 'ok',
        error_type: null,
        error_message: null,
        output_label: null,
        retrieval_hit: null,
        feedback: null,
      },
    ]);
  });

  it('moves rows of an existing events table into batches unchanged', () => {
    const file = join(tmp(), 'old.db');
    const db = new Database(file);
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 6),
    );
    const ins = db.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const want: unknown[] = [];
    const fill = db.transaction(() => {
      for (let i = 0; i < 2_345; i++) {
        const row = [
          10_000 - i,
          7,
          `s${i % 3}`,
          'p',
          `m${i % 2}`,
          i + 0.5,
          i,
          2 * i,
          i % 5 ? i / 100 : null,
          i % 5 ? 0 : 1,
          i % 7 ? 'ok' : 'error',
          i % 7 ? null : 'timeout',
          null,
          i % 2 ? 'a' : null,
          i % 3 ? 1 : null,
          null,
        ];
        ins.run(...row);
        want.push(row);
      }
    });
    fill();
    migrate(db);
    const got = db.prepare(`SELECT ${COLUMNS} FROM events`).raw().all() as unknown[][];
    const byTs = (a: unknown[], b: unknown[]) => Number(a[0]) - Number(b[0]);
    expect(got.sort(byTs)).toEqual(want.sort((a, b) => byTs(a as unknown[], b as unknown[])));
    // Three thousand-id chunks × six series.
    expect(db.prepare('SELECT COUNT(*) AS n, SUM(count) AS c FROM event_batches').get()).toEqual({ n: 18, c: 2_345 });
    db.close();
  });

  it('retention deletes old batches and trims a batch that straddles the cutoff', () => {
    const store = openStore(join(tmp(), 'r.db'));
    store.ingestBatch([priced(1), priced(2), priced(3)], [], 0, 3); // all old
    store.ingestBatch([priced(4), priced(50), priced(5), priced(60)], [], 0, 60); // straddles 10
    store.ingestBatch([priced(70)], [], 0, 70); // young
    expect(store.rollupHistory.pruneEvents(10, 100)).toBe(5);
    expect(store.stats().events).toBe(3);
    expect(store.rollupHistory.pruneEvents(10, 100)).toBe(0);
    expect(store.rollupHistory.pruneEvents(65, 100)).toBe(2);
    expect(store.stats().events).toBe(1);
    store.close();
  });

  it('a batch and its rollups commit together or not at all', () => {
    const store = openStore(join(tmp(), 't.db'));
    const bad = { ...emptyBucket({ service: 's', provider: 'p', model: 'm' }, 0), count: Number.NaN };
    // NOT NULL count: the rollup write fails, so the batch row must not stay either.
    expect(() => store.ingestBatch([priced(1)], [{ ...bad, count: null as unknown as number }], 0, 1)).toThrow();
    expect(store.stats().events).toBe(0);
    store.close();
  });
});

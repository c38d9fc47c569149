import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CacheCheckpointer, openCache, type Cache } from '../../electron/main/services/cache/index.js';
import { openCacheConnection } from '../../electron/main/services/cache/cache-connection.js';
import type { Timers } from '../../electron/main/services/runtime.js';

/**
 * The cache's WAL is copied into the file by CacheCheckpointer on a quiet tick, never inside a
 * commit: real SQLite files, a hand-driven timer.
 */
const dirs: string[] = [];
const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0).reverse()) o.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(maxWalBytes?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cache-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'cache.db');
  const cache: Cache = openCache(path, { now: '2026-11-23T00:00:00.000Z' });
  open.push(cache);
  // Another connection, as the chart and runbook caches have: the checkpointer must see its commits too.
  const other = openCacheConnection(path);
  open.push(other);
  other.exec('CREATE TABLE IF NOT EXISTS scratch (id INTEGER PRIMARY KEY, blob BLOB)');
  const pending: (() => void)[] = [];
  const timers: Timers = { setTimeout: (fn) => pending.push(fn), clearTimeout: () => undefined };
  const warnings: string[] = [];
  const checkpointer = new CacheCheckpointer({
    path,
    timers,
    log: { warn: (m) => warnings.push(m) },
    ...(maxWalBytes !== undefined ? { maxWalBytes } : {}),
  });
  checkpointer.start();
  open.push({ close: () => checkpointer.dispose() });
  const tick = (): void => {
    const fn = pending.shift();
    if (!fn) throw new Error('no tick scheduled');
    fn();
  };
  return { path, other, checkpointer, tick, warnings };
}

/** Writes `pages` pages' worth of rows in one commit on `db`. */
function write(db: Database.Database, pages: number): void {
  const insert = db.prepare('INSERT INTO scratch (blob) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < pages; i++) insert.run(Buffer.alloc(3900, i % 251));
  })();
}

const walBytes = (path: string): number => statSync(`${path}-wal`).size;

describe('CacheCheckpointer', () => {
  it('no commit checkpoints on its own: 2,000 pages stay in the WAL until a quiet tick copies them', () => {
    const { path, other, checkpointer, tick, warnings } = setup();
    tick(); // first look: whatever migrations left
    const before = checkpointer.stats().passes;
    for (let i = 0; i < 4; i++) write(other, 500);
    // SQLite's automatic checkpoint would have copied and reset past 1,000 pages.
    expect(walBytes(path)).toBeGreaterThan(2_000 * 4096);
    tick(); // commits since the last look: not quiet yet
    expect(checkpointer.stats().passes).toBe(before);
    tick(); // quiet
    const s = checkpointer.stats();
    expect(s.passes).toBe(before + 1);
    expect(s.walFrames).toBeGreaterThanOrEqual(2_000);
    expect(s.copied).toBe(s.walFrames);
    tick(); // nothing new: no pass
    expect(checkpointer.stats().passes).toBe(before + 1);
    // The next commit rewinds the WAL and journal_size_limit trims the file.
    write(other, 1);
    expect(walBytes(path)).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(warnings).toEqual([]);
  });

  it('while commits never pause, it checkpoints once the WAL passes maxWalBytes', () => {
    const { other, checkpointer, tick } = setup(1024 * 1024);
    tick();
    const before = checkpointer.stats();
    write(other, 100); // ~400 kB: under the bound
    tick();
    expect(checkpointer.stats().passes).toBe(before.passes);
    write(other, 300); // past 1 MiB, still writing
    tick();
    const s = checkpointer.stats();
    expect(s.passes).toBe(before.passes + 1);
    expect(s.forced).toBe(before.forced + 1);
    expect(s.copied).toBe(s.walFrames);
  });

  it('a reader pinning the WAL: the pass copies what it can and the next quiet tick finishes', () => {
    const { other, path, checkpointer, tick } = setup();
    tick();
    write(other, 50);
    const reader = openCacheConnection(path);
    open.push(reader);
    const rows = reader.prepare('SELECT id FROM scratch').iterate();
    rows.next(); // an open read transaction on the current snapshot
    write(other, 50);
    tick();
    tick();
    const pinned = checkpointer.stats();
    expect(pinned.copied).toBeLessThan(pinned.walFrames);
    rows.return?.();
    tick();
    const s = checkpointer.stats();
    expect(s.passes).toBe(pinned.passes + 1);
    expect(s.copied).toBe(s.walFrames);
  });
});

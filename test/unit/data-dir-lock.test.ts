import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  DataDirBusyError,
  linuxStartTime,
  LOCK_DB_FILE,
  LOCK_FILE,
  systemLockDeps,
  type LockDeps,
} from '../../electron/collector/data-dir-lock.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-lock-unit-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fake process table: pid → start identity. */
function deps(pid: number, table: Record<number, string>): LockDeps {
  return { pid, startIdentity: (p) => table[p], pidExists: (p) => p in table };
}

describe('data-dir lock', () => {
  it('is taken with the pid and start time, 0600, and released only by its owner', () => {
    const dir = tmp();
    const lock = acquireDataDirLock(dir, deps(10, { 10: 'a' }));
    const file = join(dir, LOCK_FILE);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ pid: 10, started: 'a' });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    lock.release();
    expect(() => statSync(file)).toThrow();
    lock.release(); // twice is fine
  });

  it('refuses while the holder runs, naming the dir and the pid', () => {
    const dir = tmp();
    const table = { 10: 'a', 11: 'b' };
    acquireDataDirLock(dir, deps(10, table));
    expect(() => acquireDataDirLock(dir, deps(11, table))).toThrow(DataDirBusyError);
    expect(() => acquireDataDirLock(dir, deps(11, table))).toThrow(
      `data dir ${dir} is in use by another collector (pid 10`,
    );
  });

  it('takes over a lock whose pid is gone, or reused by a process that started at another time', () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 10, started: 'a' }));
    // pid 10 is gone
    const l1 = acquireDataDirLock(dir, deps(11, { 11: 'b' }));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 11 });
    l1.release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 10, started: 'a' }));
    // pid 10 exists, but it is another program (started at 'z')
    const l2 = acquireDataDirLock(dir, deps(11, { 10: 'z', 11: 'b' }));
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 11 });
    l2.release();
  });

  it('takes over a garbled lock, and one naming its own pid without start times', () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_FILE), 'not json');
    acquireDataDirLock(dir, deps(11, { 11: 'b' })).release();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 11 }));
    const noStart: LockDeps = { pid: 11, startIdentity: () => undefined, pidExists: () => true };
    acquireDataDirLock(dir, noStart).release();
  });

  it('does not remove a lock another process took over after judging ours stale', () => {
    const dir = tmp();
    const mine = acquireDataDirLock(dir, deps(10, { 10: 'a' }));
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 12, started: 'c' }));
    mine.release();
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: 12 });
  });

  it('reads a process start time from /proc on Linux', () => {
    if (process.platform !== 'linux') return;
    const t = linuxStartTime(process.pid);
    expect(t).toMatch(/^\d+$/);
    expect(linuxStartTime(process.pid)).toBe(t);
  });

  // Review of issue 11, finding 8: the lock is the OS's (a SQLite EXCLUSIVE lock on collector.lock.db),
  // so no file left behind — a reused pid in the holder file, a dead starter's `.break` guard — decides anything.
  it('a lock file naming a live process (a reused pid, no start time) does not block when nobody holds the lock', () => {
    const dir = tmp();
    // pid 1 always exists; before, a lock file naming it without a start time refused every start.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 1 }));
    const lock = acquireDataDirLock(dir, systemLockDeps);
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid });
    lock.release();
  });

  it("a `.break` guard left by a starter whose pid is now someone else's does not block start-up", () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 4_000_001 }));
    // Before: judged alive (pid 1 exists, no start time), waited on 50 times, then "could not take".
    writeFileSync(join(dir, `${LOCK_FILE}.break`), JSON.stringify({ pid: 1 }));
    const t0 = performance.now();
    const lock = acquireDataDirLock(dir, systemLockDeps);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(existsSync(join(dir, `${LOCK_FILE}.break`))).toBe(false);
    lock.release();
  });

  it('the OS lock is what decides: held, a start with a garbled or missing holder file is still refused', () => {
    const dir = tmp();
    const held = acquireDataDirLock(dir, deps(10, { 10: 'a' }));
    rmSync(join(dir, LOCK_FILE)); // someone deleted the holder file by hand
    expect(() => acquireDataDirLock(dir, deps(11, { 10: 'a', 11: 'b' }))).toThrow(
      `data dir ${dir} is in use by another collector (pid unknown`,
    );
    // A holder file naming a dead process is never named as the holder.
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: 12 }));
    expect(() => acquireDataDirLock(dir, deps(11, { 10: 'a', 11: 'b' }))).toThrow('(pid unknown');
    held.release();
    // Released: the next start takes it, and the lock database stays (deleting it would let two lock two files).
    acquireDataDirLock(dir, deps(11, { 11: 'b' })).release();
    expect(existsSync(join(dir, LOCK_DB_FILE))).toBe(true);
    expect(statSync(join(dir, LOCK_DB_FILE)).mode & 0o777).toBe(0o600);
  });

  it('a lock database replaced by something else is a clear error, not a silent second collector', () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_DB_FILE), 'x'.repeat(4096));
    expect(() => acquireDataDirLock(dir, deps(11, { 11: 'b' }))).toThrow(/is not a lock database/);
  });
});

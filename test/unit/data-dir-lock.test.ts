import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  acquireDataDirLock,
  DataDirBusyError,
  linuxStartTime,
  LOCK_FILE,
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
});

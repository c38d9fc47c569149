import { closeSync, linkSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../node/private-files.js';

/**
 * One collector per data dir. Two on one dir would both evaluate rules, escalate and page (every
 * page twice) and race on the WAL checkpoints. `<dataDir>/collector.lock` holds the owner's pid
 * (and, on Linux, the process start time, so a pid the OS has since handed to another program is
 * not mistaken for the owner). A collector killed with SIGKILL leaves the file behind: the next
 * start finds its pid gone and takes over, so a crash never blocks the data dir for good.
 *
 * Taking the lock is atomic: the content is written to a private temp file which is then
 * hard-linked to the lock name; link(2), like open(O_CREAT|O_EXCL), fails with EEXIST when the
 * name exists, and unlike it never shows a reader an empty file. (Where hard links are not
 * supported it falls back to O_EXCL.) Removing a stale lock happens under a second O_EXCL file,
 * `collector.lock.break`, and only if the lock still holds the stale content: two collectors that
 * start at once over a stale lock cannot both remove it and then both take it.
 */
export const LOCK_FILE = 'collector.lock';
/** Each attempt takes the lock, refuses, or clears one stale lock; more means a start-up storm. */
const MAX_ATTEMPTS = 50;
/** How long to wait while another starter is clearing a stale lock. */
const BREAK_WAIT_MS = 20;

export interface LockHolder {
  pid: number;
  /** Process start time in clock ticks since boot (Linux /proc/PID/stat field 22). */
  started?: string;
}

export interface LockDeps {
  pid: number;
  /** Identity of the process start, to tell a reused pid apart; undefined where unknown. */
  startIdentity(pid: number): string | undefined;
  /** Whether a process with this pid exists (signal 0). */
  pidExists(pid: number): boolean;
}

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockFile: string,
    readonly holder: LockHolder,
  ) {
    super(
      `data dir ${dataDir} is in use by another collector (pid ${holder.pid}, lock file ${lockFile}); ` +
        'stop that collector, or pass another --data-dir',
    );
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the lock file if it is still ours. Safe to call twice. */
  release(): void;
}

export const systemLockDeps: LockDeps = {
  pid: process.pid,
  startIdentity: linuxStartTime,
  pidExists(pid) {
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      // EPERM: it exists but belongs to another user.
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  },
};

/** Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold spaces). */
export function linuxStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so field 22 is fields[19].
    return fields[19];
  } catch {
    return undefined;
  }
}

/** Takes the data dir's lock or throws DataDirBusyError naming the pid that holds it. */
export function acquireDataDirLock(dataDir: string, deps: LockDeps = systemLockDeps): DataDirLock {
  const file = join(dataDir, LOCK_FILE);
  const me: LockHolder = { pid: deps.pid };
  const started = deps.startIdentity(deps.pid);
  if (started !== undefined) me.started = started;
  const content = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (tryCreate(file, content, deps.pid)) return heldLock(file, content);
    const seen = readText(file);
    if (seen === undefined) continue; // released meanwhile: try again
    const holder = parseHolder(seen);
    if (holder && isRunning(holder, deps)) throw new DataDirBusyError(dataDir, file, holder);
    clearStale(file, seen, deps);
  }
  throw new Error(`could not take ${file}: other collectors keep starting on ${dataDir}`);
}

function heldLock(file: string, content: string): DataDirLock {
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      // Never remove a lock another collector took over (after judging ours stale).
      if (readText(file) === content) unlinkQuiet(file);
    },
  };
}

function tryCreate(file: string, content: string, pid: number): boolean {
  const temp = `${file}.${pid}.tmp`;
  writeFileSync(temp, content, { mode: PRIVATE_FILE_MODE });
  try {
    linkSync(temp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
      return createExclusive(file, content);
    }
    throw err;
  } finally {
    unlinkQuiet(temp);
  }
}

/** open(O_CREAT|O_EXCL) then write: for file systems without hard links. */
function createExclusive(file: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

function isRunning(holder: LockHolder, deps: LockDeps): boolean {
  if (!deps.pidExists(holder.pid)) return false;
  const now = deps.startIdentity(holder.pid);
  // The pid exists but started at another time: the OS reused it for another program.
  if (holder.started !== undefined && now !== undefined) return now === holder.started;
  // Without start times, our own pid in the file can only be a dead predecessor's.
  return holder.pid !== deps.pid;
}

/** Removes `file` if it still reads `stale`, serialised with other starters by an O_EXCL guard. */
function clearStale(file: string, stale: string, deps: LockDeps): void {
  const guard = `${file}.break`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const text = readText(guard);
    const breaker = text === undefined ? undefined : parseHolder(text);
    // Another starter is clearing it now: let it finish. A guard left by one that died is removed.
    if (breaker && isRunning(breaker, deps)) sleepSync(BREAK_WAIT_MS);
    else if (text !== undefined && text !== '') unlinkQuiet(guard);
    else sleepSync(BREAK_WAIT_MS); // just created, its pid not written yet
    return;
  }
  try {
    writeSync(fd, `${JSON.stringify({ pid: deps.pid })}\n`);
    if (readText(file) === stale) unlinkQuiet(file);
  } finally {
    closeSync(fd);
    unlinkQuiet(guard);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { pid, started } = v as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return undefined;
    return typeof started === 'string' ? { pid, started } : { pid };
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

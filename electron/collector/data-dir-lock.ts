import Database from 'better-sqlite3';
import { readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, restrictDatabaseFiles } from '../node/private-files.js';

/**
 * One collector per data dir. Two on one dir would both evaluate rules, escalate and page (every
 * page twice) and race on the WAL checkpoints.
 *
 * The lock itself is one the operating system holds for us and drops when we exit, however we
 * exit (kill -9 included): `<dataDir>/collector.lock.db`, a tiny SQLite database opened with
 * `PRAGMA locking_mode = EXCLUSIVE` and written once, which makes SQLite take and keep the
 * file's exclusive lock (a POSIX advisory lock on Unix, LockFileEx on Windows) for as long as
 * the connection is open. So there is no stale lock to judge, no pid to trust and no guard file
 * to break: a second starter's write fails with SQLITE_BUSY while the holder lives, and succeeds
 * the moment it is gone. That file is never deleted (deleting a lock file lets two processes
 * lock two different files of one name).
 *
 * `<dataDir>/collector.lock` only says who holds it: the holder's pid (and, on Linux, its start
 * time), written after the lock is taken and removed on release, so a refused starter can name
 * the pid. It never decides anything.
 */
export const LOCK_FILE = 'collector.lock';
/** The database whose OS lock is the real lock (see above). */
export const LOCK_DB_FILE = 'collector.lock.db';
/** How long SQLite retries a busy lock per attempt (two starters in the same instant step on each other's shared lock). */
const BUSY_TIMEOUT_MS = 100;
/**
 * A busy lock whose holder has not written its pid yet (it took the lock a moment ago) is asked
 * again after RETRY_MS, for up to HOLDER_WAIT_MS; past that we refuse naming what the file says.
 */
const RETRY_MS = 10;
const HOLDER_WAIT_MS = 3_000;

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
      `data dir ${dataDir} is in use by another collector (pid ${holder.pid > 0 ? holder.pid : 'unknown'}, lock file ${lockFile}); ` +
        'stop that collector, or pass another --data-dir',
    );
  }
}

export interface DataDirLock {
  readonly file: string;
  /** Removes the holder file if it is still ours and lets the OS lock go. Safe to call twice. */
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
  const deadline = performance.now() + HOLDER_WAIT_MS;
  for (;;) {
    const db = tryLock(join(dataDir, LOCK_DB_FILE), deps.pid);
    if (db) {
      writeHolder(file, content, deps.pid);
      // A guard file left by older versions' stale-lock breaking means nothing now.
      unlinkQuiet(`${file}.break`);
      return heldLock(file, content, db);
    }
    // Busy: someone alive holds it. Name them once their pid is in the holder file.
    const seen = readText(file);
    const holder = seen === undefined ? undefined : parseHolder(seen);
    if (holder && isRunning(holder, deps)) throw new DataDirBusyError(dataDir, file, holder);
    // Still no live pid in the file: refuse without naming one rather than name a dead process.
    if (performance.now() > deadline) throw new DataDirBusyError(dataDir, file, { pid: 0 });
    sleepSync(RETRY_MS);
  }
}

/**
 * Opens the lock database and writes to it in EXCLUSIVE locking mode: the connection, returned,
 * now holds the file's exclusive lock until closed (or the process dies). Undefined when busy.
 */
function tryLock(dbFile: string, pid: number): Database.Database | undefined {
  // Never open the file any other way (no fs.open, no preparePrivateDatabase): closing any other
  // descriptor of it in this process would drop the POSIX lock SQLite holds. SQLite creates it;
  // it holds only a pid, and is made 0600 right after.
  const db = new Database(dbFile, { timeout: BUSY_TIMEOUT_MS });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO holder (id, pid) VALUES (1, ?)').run(pid);
    restrictDatabaseFiles(dbFile);
    return db;
  } catch (err) {
    db.close();
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return undefined;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new Error(
        `${dbFile} is not a lock database (damaged or replaced); with no collector running on this data dir, delete it and start again`,
      );
    }
    throw err;
  }
}

function heldLock(file: string, content: string, db: Database.Database): DataDirLock {
  let held = true;
  return {
    file,
    release() {
      if (!held) return;
      held = false;
      // The holder file goes first, while we still hold the lock: nobody can have replaced it.
      if (readText(file) === content) unlinkQuiet(file);
      db.close();
    },
  };
}

/** Written whole under a temp name and renamed, so a reader never sees half of it. */
function writeHolder(file: string, content: string, pid: number): void {
  const temp = `${file}.${pid}.tmp`;
  writeFileSync(temp, content, { mode: PRIVATE_FILE_MODE });
  renameSync(temp, file);
}

/** Only used to name the holder: a file left by a dead collector must not be named as the one holding it. */
function isRunning(holder: LockHolder, deps: LockDeps): boolean {
  if (!deps.pidExists(holder.pid)) return false;
  const now = deps.startIdentity(holder.pid);
  // The pid exists but started at another time: the OS reused it for another program.
  if (holder.started !== undefined && now !== undefined) return now === holder.started;
  return true;
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

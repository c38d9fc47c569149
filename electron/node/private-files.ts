import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';

/**
 * The collector's data dir holds its bearer token and every alert, the desktop cache every alert,
 * timeline and runbook: only their owner may read them,
 * whatever the umask. Modes are set explicitly (mkdir/open modes are masked by the umask, and an
 * existing dir or file keeps the mode an older version gave it).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** A shared dir such as /tmp: never ours to chmod. */
const STICKY_BIT = 0o1000;
/** SQLite's side files: created by SQLite with the main file's mode, re-checked after opening. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/**
 * Creates `dir` 0700 (and missing parents, which umask can only make narrower). An existing dir
 * wider than 0700 is tightened when it is ours: empty, or holding one of `markers` (files only we
 * write there). A shared dir someone pointed us at (`--data-dir /tmp`, a home dir) is left alone:
 * the returned warning says why its data is not private. Undefined when the dir is private.
 */
export function ensurePrivateDir(dir: string, markers: readonly string[]): string | undefined {
  if (mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE }) !== undefined) {
    chmodSync(dir, PRIVATE_DIR_MODE);
    return undefined;
  }
  const mode = statSync(dir).mode;
  if ((mode & 0o077) === 0) return undefined;
  const entries = readdirSync(dir);
  const ours = (mode & STICKY_BIT) === 0 && (entries.length === 0 || markers.some((m) => entries.includes(m)));
  if (!ours) {
    return `${dir} is readable by others (mode ${(mode & 0o777).toString(8)}) and holds other files: left as it is; use a dedicated directory to keep this data private`;
  }
  chmodSync(dir, PRIVATE_DIR_MODE);
  return undefined;
}

/** An in-memory or temporary database has no file to protect. */
function isFileDatabase(file: string): boolean {
  return file !== '' && file !== ':memory:' && !file.startsWith('file:');
}

/**
 * Before SQLite opens `file`: create it empty with 0600 (SQLite reads an empty file as a new
 * database, and creates -wal/-shm with the main file's mode) and tighten any side files left by
 * an older run.
 */
export function preparePrivateDatabase(file: string): void {
  if (!isFileDatabase(file)) return;
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  restrictDatabaseFiles(file);
}

/** chmod 0600 on the database and whichever of its side files exist. */
export function restrictDatabaseFiles(file: string): void {
  if (!isFileDatabase(file)) return;
  for (const f of [file, ...SQLITE_SIDE_FILES.map((s) => file + s)]) {
    try {
      chmodSync(f, PRIVATE_FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';

/**
 * A copy of electron/collector/private-files.ts (the layers may not import each other).
 * The desktop cache holds every alert, timeline and runbook: only its owner may read it,
 * whatever the umask. Modes are set explicitly (mkdir/open modes are masked by the umask, and an
 * existing dir or file keeps the mode an older version gave it).
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
/** SQLite's side files: created by SQLite with the main file's mode, re-checked after opening. */
const SQLITE_SIDE_FILES = ['-wal', '-shm', '-journal'];

/** Creates `dir` (and missing parents) and makes it 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
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

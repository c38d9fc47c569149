import Database from 'better-sqlite3';

/** Queries slower than this are logged: on a desktop they mean a janky UI. */
export const SLOW_QUERY_MS = 40;

/** A rewound WAL file is trimmed back to this size (it otherwise keeps its high-water mark). */
const JOURNAL_SIZE_LIMIT = 4 * 1024 * 1024;

/**
 * The settings every connection on the cache file shares. No automatic checkpoint: the
 * CacheCheckpointer copies the WAL while the app is quiet, never inside a commit.
 */
export function configureCacheConnection(db: Database.Database, busyTimeoutMs: number): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
}

/**
 * Opens another connection on the cache file, which openCache already created and migrated.
 * WAL lets this connection and the alert replica's take turns; busy_timeout absorbs the waits.
 */
export function openCacheConnection(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: true });
  configureCacheConnection(db, 5000);
  return db;
}

/** Wraps a query so that one slower than SLOW_QUERY_MS is reported as `<label>: slow <name> took N ms`. */
export function slowQueryTimer(label: string, report: (message: string) => void): <T>(name: string, fn: () => T) => T {
  return (name, fn) => {
    const start = performance.now();
    try {
      return fn();
    } finally {
      const ms = performance.now() - start;
      if (ms > SLOW_QUERY_MS) report(`${label}: slow ${name} took ${ms.toFixed(0)} ms`);
    }
  };
}

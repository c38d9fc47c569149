import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Logger, Timers } from '../runtime.js';
import { openCacheConnection } from './cache-connection.js';

/** How often the checkpointer looks; a tick with no commit since the last one counts as quiet. */
export const CACHE_CHECKPOINT_TICK_MS = 1_000;
/** Past this much WAL the checkpoint runs even while commits keep coming (bounds the file). */
export const CACHE_MAX_WAL_BYTES = 16 * 1024 * 1024;

export interface CacheCheckpointerOptions {
  /** The cache file (openCache created and migrated it). */
  path: string;
  timers: Timers;
  log: Pick<Logger, 'warn'>;
  tickMs?: number;
  maxWalBytes?: number;
}

export interface CacheCheckpointStats {
  /** Checkpoints run. */
  passes: number;
  /** Of those, forced by the WAL size while commits kept coming. */
  forced: number;
  /** WAL frames the newest checkpoint found, and how many it copied into the database file. */
  walFrames: number;
  copied: number;
}

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

/**
 * Copies the cache's WAL into the database file while the app is quiet. Every cache connection
 * runs with `wal_autocheckpoint = 0` (see openCache and openCacheConnection): with SQLite's
 * automatic checkpoint, the commit that crosses 1,000 WAL pages copies them and fsyncs the file,
 * 5–15 ms, and that commit is as likely as any to be the alert a page is waiting for. Here a
 * PASSIVE checkpoint runs on the first tick with no commit since the previous one, or at once
 * when the WAL has grown past `maxWalBytes`. Durability is unchanged: commits are durable in the
 * WAL (NORMAL: they survive a killed process), and checkpointing never touches that.
 *
 * It reads `PRAGMA data_version` on its own connection, which changes whenever any other
 * connection commits.
 */
export class CacheCheckpointer {
  private db: Database.Database | undefined;
  private timer: unknown = null;
  private lastVersion: number | undefined;
  private dirty = true;
  private readonly figures: CacheCheckpointStats = { passes: 0, forced: 0, walFrames: 0, copied: 0 };

  constructor(private readonly opts: CacheCheckpointerOptions) {}

  start(): void {
    if (this.db) return;
    this.db = openCacheConnection(this.opts.path);
    this.schedule();
  }

  dispose(): void {
    if (this.timer !== null) this.opts.timers.clearTimeout(this.timer);
    this.timer = null;
    this.db?.close();
    this.db = undefined;
  }

  stats(): CacheCheckpointStats {
    return { ...this.figures };
  }

  /** One look (the timer calls it; tests drive it). Never throws: a failure is logged and retried. */
  tick(): void {
    const db = this.db;
    if (!db) return;
    try {
      const version = db.pragma('data_version', { simple: true }) as number;
      const committed = this.lastVersion !== undefined && version !== this.lastVersion;
      this.lastVersion = version;
      if (committed) this.dirty = true;
      if (!this.dirty) return;
      const forced = committed && this.walBytes() > (this.opts.maxWalBytes ?? CACHE_MAX_WAL_BYTES);
      if (committed && !forced) return; // still busy: wait for a quiet tick
      const [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
      this.figures.passes += 1;
      if (forced) this.figures.forced += 1;
      this.figures.walFrames = row?.log ?? 0;
      this.figures.copied = row?.checkpointed ?? 0;
      // A reader can pin part of the WAL: then the next tick tries again.
      this.dirty = row === undefined || row.busy !== 0 || row.checkpointed < row.log;
    } catch (err) {
      this.opts.log.warn(`cache checkpoint failed: ${(err as Error).message}`);
    }
  }

  private walBytes(): number {
    try {
      return statSync(`${this.opts.path}-wal`).size;
    } catch {
      return 0;
    }
  }

  private schedule(): void {
    this.timer = this.opts.timers.setTimeout(() => {
      this.tick();
      if (this.db) this.schedule();
    }, this.opts.tickMs ?? CACHE_CHECKPOINT_TICK_MS);
  }
}

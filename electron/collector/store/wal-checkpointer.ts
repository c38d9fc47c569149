import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Checkpoints the collector's WAL on a worker thread, off the request path.
 *
 * Why: with SQLite's automatic checkpoint, the commit that crosses 1,000 WAL pages copies them
 * into the database file and fsyncs it inside that request (~15–25 ms every 30–40 ingest
 * batches: the whole p99 of issue 4's "p99 < 25 ms at 50% load"). The writer connection runs
 * with `wal_autocheckpoint = 0` (openStore's `autoCheckpoint: false`) and this worker runs
 * `PRAGMA wal_checkpoint(PASSIVE)` on its own connection every `intervalMs`. PASSIVE never waits
 * and never blocks the writer, which keeps appending to the WAL meanwhile; once a checkpoint has
 * caught up, the writer's next commit rewinds the WAL (and `journal_size_limit` trims the file).
 * Durability is unchanged: a commit's durability is the WAL fsync at commit (NORMAL for events,
 * FULL under `durable()`), which checkpointing never touches.
 *
 * Fallback: if PASSIVE cannot keep the WAL under `maxWalBytes` (a long-lived reader pins it),
 * the worker runs TRUNCATE, which waits (on the worker, at most `busyTimeoutMs`) for readers.
 *
 * The worker is an eval'd CommonJS script (no separate entry for the bundler) that loads
 * better-sqlite3 from the path this module resolves. It does all its work in one timer; dispose()
 * asks it to stop, and terminates it if it has not exited within `stopTimeoutMs`.
 */

export interface WalCheckpointerOptions {
  /** The database file (the writer must already have created it and set WAL mode). */
  file: string;
  intervalMs?: number;
  /** Above this many WAL bytes after a PASSIVE pass, run TRUNCATE. */
  maxWalBytes?: number;
  busyTimeoutMs?: number;
  stopTimeoutMs?: number;
  /**
   * The writer's own PASSIVE checkpoint (CollectorStore.checkpointWal). Called, between
   * requests, when the WAL is past `rewindBytes` and the worker has copied all but a few frames:
   * the writer cannot append during its own pass, so it always catches up and its next commit
   * rewinds the WAL. The worker rarely can (the writer keeps appending during its passes).
   */
  finish?: () => void;
  /**
   * Whether requests are in flight. The finishing pass runs on the request thread, so it waits
   * for a moment with none (answering first), for at most FINISH_MAX_WAIT_MS.
   */
  busy?: () => boolean;
  rewindBytes?: number;
  log?: (msg: string) => void;
}

export interface CheckpointStats {
  /** Checkpoint passes run (PASSIVE and TRUNCATE). */
  passes: number;
  truncates: number;
  /** WAL frames in the log after the newest pass (0 once it was rewound). */
  walFrames: number;
  /** Of those, frames not yet copied into the database file. */
  backlog: number;
  /** Times the writer finished a checkpoint (`finish`) so the WAL could rewind. */
  finishes: number;
  /** Longest single pass, ms (on the worker). */
  maxPassMs: number;
  errors: number;
}

export const WAL_CHECKPOINT_INTERVAL_MS = 200;
/** 64 MiB: at the measured max ingest rate (~12 MB of WAL a second) several seconds of lag. */
export const WAL_MAX_BYTES = 64 * 1024 * 1024;
/** TRUNCATE holds the writer lock while it waits for readers: the writer waits at most this long. */
/** Past this much WAL, the writer finishes a checkpoint so the WAL rewinds (see `finish`). */
export const WAL_REWIND_BYTES = 8 * 1024 * 1024;
/** The writer's finishing pass copies at most this much: a few batches, ~1–3 ms. */
const FINISH_MAX_BACKLOG_BYTES = 512 * 1024;
const BUSY_TIMEOUT_MS = 200;
/** A finishing pass waits at most this long for the request thread to be idle. */
const FINISH_MAX_WAIT_MS = 100;
const STOP_TIMEOUT_MS = 5_000;
/** Extra PASSIVE passes per tick while the writer keeps adding frames (bounded: never spins). */
const MAX_CATCH_UP_PASSES = 8;

/** Messages main → worker: 'stop'. Worker → main: a stats object, then 'stopped'. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + Number(workerData.busyTimeoutMs));
const pageSize = Number(db.pragma('page_size', { simple: true }));
const stats = { passes: 0, truncates: 0, walFrames: 0, backlog: 0, finishes: 0, maxPassMs: 0, errors: 0, pageSize };
function pass() {
  try {
    const t0 = performance.now();
    let r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // The writer rewinds the WAL only when a checkpoint has copied every frame, but it keeps
    // appending during a long pass: repeat (each pass copies only what arrived meanwhile, so
    // they shrink) until one catches up.
    for (let i = 0; i < workerData.maxCatchUp && r.checkpointed < r.log; i++) {
      r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    }
    stats.passes += 1;
    stats.walFrames = r.log;
    stats.backlog = r.log - r.checkpointed;
    if (r.log * pageSize > workerData.maxWalBytes) {
      const t = db.pragma('wal_checkpoint(TRUNCATE)')[0];
      stats.truncates += 1;
      stats.walFrames = t.log;
      stats.backlog = t.log - t.checkpointed;
    }
    stats.maxPassMs = Math.max(stats.maxPassMs, performance.now() - t0);
  } catch (err) {
    stats.errors += 1;
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
  parentPort.postMessage({ stats });
}
const timer = setInterval(pass, workerData.intervalMs);
parentPort.on('message', (msg) => {
  if (msg !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort.postMessage('stopped');
  parentPort.close();
});
`;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private exited: Promise<void> = Promise.resolve();
  private latest: CheckpointStats & { pageSize: number } = {
    pageSize: 4096,
    passes: 0,
    truncates: 0,
    walFrames: 0,
    backlog: 0,
    finishes: 0,
    maxPassMs: 0,
    errors: 0,
  };
  private finishes = 0;
  private finishWaiting: NodeJS.Timeout | undefined;
  private readonly log: (msg: string) => void;

  constructor(private readonly opts: WalCheckpointerOptions) {
    this.log = opts.log ?? (() => undefined);
  }

  start(): void {
    if (this.worker) return;
    const sqlitePath = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        sqlitePath,
        file: this.opts.file,
        intervalMs: this.opts.intervalMs ?? WAL_CHECKPOINT_INTERVAL_MS,
        maxWalBytes: this.opts.maxWalBytes ?? WAL_MAX_BYTES,
        busyTimeoutMs: this.opts.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
        maxCatchUp: MAX_CATCH_UP_PASSES,
      },
      // The checkpointer needs little heap; the collector's RSS budget is 250 MB.
      resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 },
    });
    worker.on('message', (msg: unknown) => {
      if (typeof msg !== 'object' || msg === null) return;
      if ('stats' in msg) this.onStats(msg.stats as CheckpointStats & { pageSize: number });
      if ('error' in msg) this.log(`wal checkpoint failed: ${String(msg.error)}`);
    });
    worker.on('error', (err) => this.log(`wal checkpointer crashed: ${err.stack ?? String(err)}`));
    // Registered now: a worker that already died must not make dispose() wait for an 'exit' that came.
    this.exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // Never what keeps the collector alive.
    worker.unref();
    this.worker = worker;
  }

  /** The newest pass's figures (and the page size, to turn frames into bytes). */
  stats(): CheckpointStats & { pageSize: number } {
    return { ...this.latest, finishes: this.finishes };
  }

  private onStats(stats: CheckpointStats & { pageSize: number }): void {
    const { pageSize } = stats;
    this.latest = stats;
    if (!this.opts.finish || !this.worker || this.finishWaiting) return;
    if (stats.walFrames * pageSize < (this.opts.rewindBytes ?? WAL_REWIND_BYTES)) return;
    if (stats.backlog * pageSize > FINISH_MAX_BACKLOG_BYTES) return;
    this.finishWhenIdle(performance.now());
  }

  /** Runs the writer's finishing pass at the first turn of the event loop with no request in flight. */
  private finishWhenIdle(since: number): void {
    const finish = this.opts.finish;
    if (!finish || !this.worker) return;
    if (this.opts.busy?.() && performance.now() - since < FINISH_MAX_WAIT_MS) {
      this.finishWaiting = setTimeout(() => this.finishWhenIdle(since), 0);
      return;
    }
    this.finishWaiting = undefined;
    try {
      finish();
      this.finishes += 1;
    } catch (err) {
      this.log(`wal checkpoint (writer) failed: ${(err as Error).message}`);
    }
  }

  /** Stops the worker and closes its connection; call before the writer closes the store. */
  async dispose(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    clearTimeout(this.finishWaiting);
    this.finishWaiting = undefined;
    if (!worker) return;
    const timer = setTimeout(() => void worker.terminate(), this.opts.stopTimeoutMs ?? STOP_TIMEOUT_MS);
    worker.postMessage('stop');
    await this.exited;
    clearTimeout(timer);
  }
}

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs SQLite WAL checkpoints on a worker thread with its own connection, so the ingest path
 * never pays for one. With SQLite's automatic checkpoint, every ~4 MB of WAL the committing batch
 * copied the pages into the database file and fsynced it — a 15–25 ms stall inside one request,
 * which set the p99 of batch answers. Checkpointing never changes what is durable: a commit is
 * in the WAL (synchronous=NORMAL for events, FULL under `durable()`) before its 2xx.
 *
 * The caller turns automatic checkpoints off on its connection only when `start()` succeeded;
 * if the worker dies, `onFailure` lets it turn them back on.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
parentPort.on('message', (m) => {
  if (m === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  let error = null;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    error = String(e && e.message ? e.message : e);
  }
  parentPort.postMessage({ error });
});
`;

/** Checkpoint once this many bytes were written since the last one (SQLite's own default is ~4 MB of pages). */
const CHECKPOINT_EVERY_BYTES = 4 * 1024 * 1024;

export class WalCheckpointer {
  private worker: Worker | undefined;
  private busy = false;
  private pendingBytes = 0;

  constructor(
    private readonly file: string,
    private readonly onFailure: (reason: string) => void,
  ) {}

  /** Starts the worker; false (and no worker) when it cannot, e.g. the driver cannot be resolved. */
  start(): boolean {
    try {
      const driver = createRequire(import.meta.url).resolve('better-sqlite3');
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: this.file } });
      w.unref(); // never keeps the process alive
      w.on('message', (m: { error: string | null }) => {
        this.busy = false;
        if (m.error) this.onFailure(`WAL checkpoint failed: ${m.error}`);
        else if (this.pendingBytes >= CHECKPOINT_EVERY_BYTES) this.request();
      });
      w.on('error', (err) => this.fail(`WAL checkpoint worker failed: ${err.message}`));
      w.on('exit', (code) => {
        if (this.worker === w) this.fail(`WAL checkpoint worker exited (${code})`);
      });
      this.worker = w;
      return true;
    } catch (err) {
      this.onFailure(`WAL checkpoint worker not started: ${(err as Error).message}`);
      return false;
    }
  }

  /** A commit wrote about `bytes` to the WAL. */
  wrote(bytes: number): void {
    this.pendingBytes += bytes;
    if (!this.busy && this.pendingBytes >= CHECKPOINT_EVERY_BYTES) this.request();
  }

  /** Closes the worker's connection (asynchronously; it holds no state worth waiting for). */
  dispose(): void {
    const w = this.worker;
    this.worker = undefined;
    w?.postMessage('close');
  }

  private request(): void {
    if (!this.worker) return;
    this.busy = true;
    this.pendingBytes = 0;
    this.worker.postMessage('checkpoint');
  }

  private fail(reason: string): void {
    if (!this.worker) return;
    this.worker = undefined;
    this.onFailure(reason);
  }
}

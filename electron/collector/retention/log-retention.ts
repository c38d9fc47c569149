import type { Clock } from '../../../shared/clock.js';
import type { CollectorConfig } from '../../../shared/config/collector-config.js';
import type { CollectorStore } from '../store/store.js';

/** Rows deleted per transaction: keeps each prune short so ingest and commands never wait long. */
const PRUNE_CHUNK = 10_000;
/** Chunks per tick; what is left goes in the next tick. */
const MAX_CHUNKS_PER_TICK = 50;

export interface LogRetentionOptions {
  store: CollectorStore;
  retention: CollectorConfig['retention'];
  clock: Clock;
  log: (msg: string) => void;
}

/**
 * The collector's maintenance tick for the alert event log: prunes entries older than
 * `retention.eventLog` and beyond `retention.eventLogMaxRows`. Runs once at start (a collector
 * that was down for a month catches up) and then every `retention.interval`.
 */
export class LogRetention {
  private timer: NodeJS.Timeout | undefined;
  private chunkTimer: NodeJS.Immediate | undefined;

  constructor(private readonly opts: LogRetentionOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.opts.retention.interval);
    this.timer.unref();
    this.tick();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.chunkTimer) clearImmediate(this.chunkTimer);
    this.timer = undefined;
    this.chunkTimer = undefined;
  }

  /** Prunes one chunk synchronously; returns the rows deleted (tests and the tick use it). */
  pruneOnce(): number {
    const { retention, clock, store } = this.opts;
    return store.pruneLog(clock.now() - retention.eventLog, retention.eventLogMaxRows, PRUNE_CHUNK);
  }

  private tick(chunk = 0, total = 0): void {
    this.chunkTimer = undefined;
    let deleted: number;
    try {
      deleted = this.pruneOnce();
    } catch (err) {
      this.opts.log(`retention: pruning the event log failed: ${String(err)}`);
      return;
    }
    const sum = total + deleted;
    // A full chunk means there may be more; yield to the event loop between chunks.
    if (deleted === PRUNE_CHUNK && chunk + 1 < MAX_CHUNKS_PER_TICK && this.timer !== undefined) {
      this.chunkTimer = setImmediate(() => this.tick(chunk + 1, sum));
      return;
    }
    if (sum > 0)
      this.opts.log(
        `retention: pruned ${sum} event log entries (oldest kept seq ${this.opts.store.firstRetainedSeq()})`,
      );
  }
}

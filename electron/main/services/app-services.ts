import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, toIso, type Clock } from '../../../shared/clock.js';
import { ApiService } from './api.js';
import { openCache, type Cache } from './cache/index.js';
import { Outbox } from './outbox.js';
import { stderrLogger, type Logger } from './runtime.js';
import { SyncClient, type SyncClientOptions } from './sync-client.js';

export interface AppServicesOptions {
  collectorUrl: string;
  collectorToken: string;
  /** Who this desktop acts as (shown as acknowledgedBy). */
  user: string;
  /** Holds cache.db; created when missing. */
  dataDir: string;
  clock?: Clock;
  log?: Logger;
  /** Test and tuning knobs for the stream (backoff, heartbeat, timers). */
  sync?: Pick<SyncClientOptions, 'backoff' | 'heartbeatTimeoutMs' | 'timers' | 'random'>;
}

export interface AppServices {
  api: ApiService;
  sync: SyncClient;
  outbox: Outbox;
  cache: Cache;
  start(): void;
  /** Closes the socket, timers and the database. Safe to call twice. */
  dispose(): void;
}

export const CACHE_FILE = 'cache.db';

/** The one place services are wired together, for Electron main and the headless host alike. */
export function createAppServices(opts: AppServicesOptions): AppServices {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? stderrLogger;
  mkdirSync(opts.dataDir, { recursive: true });
  const cache = openCache(join(opts.dataDir, CACHE_FILE), { now: toIso(clock.now()), log: (m) => log.warn(m) });
  if (cache.bindCollector(opts.collectorUrl)) {
    log.info(`cache: collector changed to ${opts.collectorUrl}; replica reset`);
  }
  let outboxRef: Outbox | null = null;
  const sync = new SyncClient({
    ...opts.sync,
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    user: opts.user,
    cache,
    clock,
    log,
    pendingCommands: () => outboxRef?.pendingCount() ?? 0,
  });
  const outbox = new Outbox({ cache, channel: sync, clock, log });
  outboxRef = outbox;
  const api = new ApiService({ cache, sync, outbox, log });
  let disposed = false;
  return {
    api,
    sync,
    outbox,
    cache,
    start() {
      outbox.start();
      sync.start();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      api.dispose();
      outbox.dispose();
      sync.dispose();
      cache.close();
    },
  };
}

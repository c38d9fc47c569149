export {
  openCache,
  type Cache,
  type OpenCacheOptions,
  type LogFrame,
  type OutboxCommand,
  type ReplicaChange,
  type SilenceCommand,
  type PruneResult,
  type ReplicaSnapshot,
  type NewOutboxCommand,
  type OutboxPayload,
  type SyncState,
} from './cache.js';
export { migrate } from './migrate.js';
export { migrations, type Migration } from './migrations/index.js';
export {
  CacheCheckpointer,
  CACHE_CHECKPOINT_TICK_MS,
  CACHE_MAX_WAL_BYTES,
  type CacheCheckpointStats,
} from './cache-checkpointer.js';
export { ensurePrivateDir, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../../node/private-files.js';

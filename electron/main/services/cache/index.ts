export {
  openCache,
  type Cache,
  type OpenCacheOptions,
  type OutboxCommand,
  type PruneResult,
  type NewOutboxCommand,
  type SyncState,
} from './cache.js';
export { migrate } from './migrate.js';
export { migrations, type Migration } from './migrations/index.js';

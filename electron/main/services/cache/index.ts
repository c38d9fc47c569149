export { openCache, type Cache, type OpenCacheOptions, type OutboxCommand, type NewOutboxCommand, type SyncState } from './cache.js';
export { migrate } from './migrate.js';
export { migrations, type Migration } from './migrations/index.js';

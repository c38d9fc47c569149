export { openRotationCache, type RotationCache } from './rotation-cache.js';
export { RotationSync, ROTATION_POLL_MS, type RotationSyncOptions } from './rotation-sync.js';

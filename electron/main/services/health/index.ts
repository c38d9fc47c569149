export { openHealthCache, type HealthCache } from './health-cache.js';
export { HealthSync, HEALTH_POLL_MS, HEALTH_PULL_GAP_MS, type HealthSyncOptions } from './health-sync.js';
export { HealthApi, pulsePrompt, type HealthApiDeps } from './health-api.js';
export { healthViewRange } from './health-range.js';

export { createAppServices, CACHE_FILE, type AppServices, type AppServicesOptions } from './app-services.js';
export { ApiService } from './api.js';
export { SyncClient, streamUrl, HEARTBEAT_TIMEOUT_MS, type SyncClientOptions } from './sync-client.js';
export { Outbox, type CommandChannel } from './outbox.js';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
export { openCache, type Cache } from './cache/index.js';
export { stderrLogger, silentLogger, systemTimers, type Logger, type Timers } from './runtime.js';

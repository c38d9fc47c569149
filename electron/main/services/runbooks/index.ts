export { openRunbookCache, type RunbookCache } from './runbook-cache.js';
export { RunbookSync, RUNBOOK_POLL_MS, type RunbookSyncOptions, type RunbookSyncResult } from './runbook-sync.js';
export { createRunbookSource, invalidPath, type RunbookSource } from './runbook-service.js';
export { toFtsQuery } from './fts-query.js';

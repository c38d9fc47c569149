export { openPostmortemCache, type PostmortemCache } from './postmortem-cache.js';
export { PostmortemSync } from './postmortem-sync.js';
export { PostmortemApi, postmortemHandlers } from './postmortem-api.js';

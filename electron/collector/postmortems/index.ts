export { openPostmortemStore, type PostmortemStore } from './postmortem-store.js';
export { PostmortemService, POSTMORTEM_KINDS } from './postmortem-service.js';
export { handlePostmortems, handleReviewMarks } from './postmortem-routes.js';

export { openOverrideStore, type OverrideStore } from './override-store.js';
export { endedOverrideKeepMs, RotationService } from './rotation-service.js';
export { handleRotation } from './rotation-route.js';
export { handleRotationIcs, parseIcsQuery } from './rotation-ics-route.js';

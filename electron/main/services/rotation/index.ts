export { openRotationCache, type RotationCache } from './rotation-cache.js';
export { RotationSync, ROTATION_POLL_MS, type RotationSyncOptions } from './rotation-sync.js';
export {
  ShiftNotice,
  plannedNotices,
  shiftNoticeLeadFromEnv,
  SHIFT_NOTICE_ENV,
  DEFAULT_SHIFT_NOTICE_LEAD_MS,
  type ShiftNoticeOptions,
} from './shift-notice.js';

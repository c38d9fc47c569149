import { DAY_MS } from '../../../../shared/clock.js';
import { HEALTH_VIEW_WEEKS } from '../../../../shared/protocol/health.js';
import { handoffAt, weekIndex } from '../../../../shared/rotation/rotation.js';
import type { RotationConfig } from '../../../../shared/rotation/schema.js';

const WEEK_MS = 7 * DAY_MS;
/**
 * The range ends at the next whole minute: every desktop asking within the same minute asks the
 * same range, which the collector answers from its cache (nothing later than now exists yet).
 */
export const HEALTH_RANGE_END_STEP_MS = 60_000;

/**
 * What the Health view asks for: this rotation and the last 12 (handoff to now); without a
 * cached rotation, the last 13 weeks to now.
 */
export function healthViewRange(rotation: RotationConfig | undefined, nowMs: number): { fromMs: number; toMs: number } {
  const toMs = Math.ceil(nowMs / HEALTH_RANGE_END_STEP_MS) * HEALTH_RANGE_END_STEP_MS;
  if (rotation) return { fromMs: handoffAt(rotation, weekIndex(rotation, nowMs) - (HEALTH_VIEW_WEEKS - 1)), toMs };
  return { fromMs: toMs - HEALTH_VIEW_WEEKS * WEEK_MS, toMs };
}

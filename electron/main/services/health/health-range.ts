import { DAY_MS } from '../../../../shared/clock.js';
import { HEALTH_VIEW_WEEKS } from '../../../../shared/protocol/health.js';
import { handoffAt, weekIndex } from '../../../../shared/rotation/rotation.js';
import type { RotationConfig } from '../../../../shared/rotation/schema.js';

const WEEK_MS = 7 * DAY_MS;

/**
 * What the Health view asks for: this rotation and the last 12 (handoff to now); without a
 * cached rotation, the last 13 weeks to now.
 */
export function healthViewRange(rotation: RotationConfig | undefined, nowMs: number): { fromMs: number; toMs: number } {
  if (rotation)
    return { fromMs: handoffAt(rotation, weekIndex(rotation, nowMs) - (HEALTH_VIEW_WEEKS - 1)), toMs: nowMs };
  return { fromMs: nowMs - HEALTH_VIEW_WEEKS * WEEK_MS, toMs: nowMs };
}

import { z } from 'zod';
import { DAY_MS } from '../clock.js';
import { Duration } from '../config/duration.js';

/** Default of `health.keep`: a year of weekly reviews plus a margin, so last year's quarter compares. */
export const DEFAULT_HEALTH_KEEP_MS = 400 * DAY_MS;

/**
 * The collector's `health` section (issue 15). The event log itself is pruned after
 * `retention.eventLog` (30 days by default); the health figures read their own copy of the
 * incident entries (pages, acks, mitigations, resolutions, escalations), kept for `keep`.
 */
export const HealthConfig = z.strictObject({
  /** Incident entries and fatigue pulse answers older than this are pruned (at start and daily). */
  keep: Duration.refine((ms) => ms >= 7 * DAY_MS, 'health.keep must be at least 7d').default(DEFAULT_HEALTH_KEEP_MS),
});
export type HealthConfig = z.output<typeof HealthConfig>;

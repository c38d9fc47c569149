import { z } from 'zod';
import { Duration } from '../config/duration.js';

const DAY_MS = 86_400_000;

/** About ten overrides a day over the default `health.keep` (400 days): a busy team's swaps. */
export const MAX_ENDED_OVERRIDES_FOR_HEALTH = 4_000;

/** Defaults of the `rotationOverrides` config section (issue 11 review, finding 7). */
export const ROTATION_OVERRIDE_DEFAULTS = {
  /** Longest single override: a long absence is a roster change, not an override. */
  maxDurationMs: 90 * DAY_MS,
  /** How far ahead an override may start (`from` no later than now + this). */
  maxLeadMs: 365 * DAY_MS,
  /** Overrides not yet ended, at once; past it a new one is refused. */
  maxActive: 500,
  /**
   * Ended overrides kept as history (besides the age bound); the oldest go first. Sized for
   * `health.keep` (400 days by default): on-call hours of a past week are rebuilt from the
   * rotation with its overrides, so an override must outlive every week Health reports on.
   */
  maxEnded: MAX_ENDED_OVERRIDES_FOR_HEALTH,
} as const;

/**
 * Bounds on the overrides desktops make (`override` commands): each is stored, merged into the
 * rotation every escalation reads and sent with every `GET /v1/rotation`, so neither their
 * number nor their span may grow without bound. Values past a bound are a failed command result
 * naming it.
 */
export const RotationOverridesConfig = z.strictObject({
  maxDuration: Duration.refine((ms) => ms > 0, 'maxDuration must be positive').default(
    ROTATION_OVERRIDE_DEFAULTS.maxDurationMs,
  ),
  maxLead: Duration.default(ROTATION_OVERRIDE_DEFAULTS.maxLeadMs),
  maxActive: z.number().int().positive().max(100_000).default(ROTATION_OVERRIDE_DEFAULTS.maxActive),
  maxEnded: z.number().int().nonnegative().max(100_000).default(ROTATION_OVERRIDE_DEFAULTS.maxEnded),
});
export type RotationOverridesConfig = z.output<typeof RotationOverridesConfig>;

import { z } from 'zod';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { Tier } from '../protocol/alert.js';
import { Duration } from './duration.js';

/** Default of `integrations.alertmanager.silenceDuration`: a shift's worth of quiet, then it may ring again. */
export const DEFAULT_AM_SILENCE_MS = 4 * HOUR_MS;
/** Longest silence an ack may create: an acknowledged incident forgotten for a week must ring again. */
export const MAX_AM_SILENCE_MS = 7 * 24 * HOUR_MS;
/** Default and bound of `integrations.alertmanager.timeout` (each API call, connect to last byte). */
export const DEFAULT_AM_TIMEOUT_MS = 5_000;
export const MAX_AM_TIMEOUT_MS = MINUTE_MS;

/**
 * `integrations.alertmanager`: how its webhook alerts are tiered, and (with `url`) the way back:
 * acknowledging an Alertmanager-sourced incident silences its alerts there (API v2), resolving
 * or unacknowledging it expires that silence.
 */
export const AlertmanagerIntegrationConfig = z.strictObject({
  /** Tier for alerts whose `severity` label is missing or unknown. */
  defaultTier: Tier.default('ticket'),
  /** Alertmanager's base URL (`http://am:9093`); without it Vigil never calls Alertmanager. */
  url: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  /** With `url`: an ack creates a silence for the incident's alerts. */
  silenceOnAck: z.boolean().default(false),
  /** How long that silence lasts (it is expired earlier when the incident resolves or is unacked). */
  silenceDuration: Duration.refine((ms) => ms >= MINUTE_MS && ms <= MAX_AM_SILENCE_MS, {
    message: `silenceDuration must be between 1m and ${MAX_AM_SILENCE_MS / HOUR_MS}h`,
  }).default(DEFAULT_AM_SILENCE_MS),
  /** Each call to Alertmanager's API is abandoned after this long. */
  timeout: Duration.refine((ms) => ms > 0 && ms <= MAX_AM_TIMEOUT_MS, {
    message: `timeout must be positive and at most ${MAX_AM_TIMEOUT_MS / 1000}s`,
  }).default(DEFAULT_AM_TIMEOUT_MS),
});
export type AlertmanagerIntegrationConfig = z.output<typeof AlertmanagerIntegrationConfig>;

import { z } from 'zod';
import { Tier } from '../protocol/alert.js';
import { ERROR_RATE_DEFAULTS } from '../rules/error-rate.js';
import { Duration } from './duration.js';

/**
 * The collector's YAML config (`--config FILE`). Every section is optional and strict, so a
 * typo (`threshhold`) is an error naming its path rather than a silently ignored key.
 * Issue 4 adds the rest of the rule catalog as siblings of `errorRate` under `rules`.
 */

export const ErrorRateRuleConfig = z.strictObject({
  enabled: z.boolean().default(true),
  /** Fraction of requests, 0..1 (0.05 = 5%). */
  threshold: z.number().gt(0).lt(1).default(ERROR_RATE_DEFAULTS.threshold),
  window: Duration.default(ERROR_RATE_DEFAULTS.windowMs),
  minSamples: z.number().int().positive().default(ERROR_RATE_DEFAULTS.minSamples),
  for: Duration.default(ERROR_RATE_DEFAULTS.forMs),
  keepFiringFor: Duration.default(ERROR_RATE_DEFAULTS.keepFiringForMs),
  tier: Tier.default('page'),
});

export const RulesConfig = z.strictObject({
  /**
   * Rules evaluate an event-time minute once the newest event seen is this far past the
   * minute's end; data later than that still lands in its rollup but no longer re-evaluates.
   */
  allowedLateness: Duration.default(60_000),
  errorRate: ErrorRateRuleConfig.prefault({}),
});

export const IngestConfig = z.strictObject({
  maxBatchEvents: z.number().int().positive().default(10_000),
  maxBodyBytes: z.number().int().positive().default(10 * 1024 * 1024),
});

export const StreamConfig = z.strictObject({
  heartbeat: Duration.default(10_000),
  /** Peers silent for this long are terminated. */
  deadAfter: Duration.default(30_000),
});

export const UserDefaults = z.strictObject({
  /** Actor recorded for changes made without a named user. */
  actor: z.string().min(1).default('collector'),
  /** The team's time zone (escalation business hours, rotations). */
  timeZone: z.string().min(1).default('UTC'),
});

export const CollectorConfig = z.strictObject({
  token: z.string().min(16, 'token must be at least 16 characters').optional(),
  host: z.string().min(1).optional(),
  ingest: IngestConfig.prefault({}),
  rules: RulesConfig.prefault({}),
  stream: StreamConfig.prefault({}),
  defaults: UserDefaults.prefault({}),
});
export type CollectorConfig = z.output<typeof CollectorConfig>;
export type CollectorConfigInput = z.input<typeof CollectorConfig>;

/** Validates parsed YAML; errors are `path: message` lines, e.g. `rules.errorRate.threshold: expected number`. */
export function parseCollectorConfig(raw: unknown): { ok: true; config: CollectorConfig } | { ok: false; errors: string[] } {
  const r = CollectorConfig.safeParse(raw ?? {});
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    errors: r.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message.replace(/^Invalid input: /, '')}`),
  };
}

export function defaultCollectorConfig(): CollectorConfig {
  return CollectorConfig.parse({});
}

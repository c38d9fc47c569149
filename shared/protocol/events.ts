import { z } from 'zod';

/**
 * Sane bounds of telemetry numbers (issue 11): every value is finite and small enough that sums
 * over a rollup, an hour or a query never leave the exactly representable range (no Infinity,
 * no `null` in JSON). Generous for any real request; a value beyond is a sender bug.
 */
export const EVENT_LIMITS = {
  /** The last millisecond of the year 9999 (ISO 8601's four-digit years end there). */
  maxTsMs: Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  /** One day: no single model request takes longer. */
  maxLatencyMs: 24 * 60 * 60_000,
  /** Per request, per direction. */
  maxTokens: 1_000_000_000,
  /** Per request. */
  maxCostUsd: 1_000_000,
} as const;

/** Epoch ms below this (before 1973-03-03) as a number most likely are epoch seconds. */
export const SECONDS_LIKE_BELOW = 1e11;
/** Epoch ms above this (after the year 5138) as a number most likely are micro- or nanoseconds. */
export const MICROS_LIKE_ABOVE = 1e14;

/** What a numeric timestamp's magnitude suggests the sender meant, or '' when it looks like ms. */
export function timestampUnitHint(ms: number): string {
  if (ms > MICROS_LIKE_ABOVE) return 'it looks like epoch microseconds or nanoseconds; send epoch milliseconds';
  if (ms >= 0 && ms < SECONDS_LIKE_BELOW) return 'it looks like epoch seconds; send epoch milliseconds';
  return '';
}

const TS_RANGE = 'timestamp must be between 1970-01-01 and 9999-12-31';

/** Epoch ms within [1970, 9999]. A number above says what unit it looks like. */
const EpochMs = z
  .number()
  // Before .int(): nanoseconds are beyond 2^53 too, and the unit hint is the useful message.
  .max(EVENT_LIMITS.maxTsMs, {
    error: (iss) => `${TS_RANGE}: ${String(iss.input)} is after the year 9999; ${timestampUnitHint(Number(iss.input))}`,
  })
  .int()
  .nonnegative(TS_RANGE);

/** ISO 8601 timestamp or epoch milliseconds; normalised to epoch ms (1970 to 9999). */
export const Timestamp = z.union([
  z.iso
    .datetime({ offset: true })
    .transform((s) => Date.parse(s))
    .pipe(z.number().int().min(0, TS_RANGE).max(EVENT_LIMITS.maxTsMs, TS_RANGE)),
  EpochMs,
]);

/** A count within 0..max (tokens). */
export const Count = (max: number) => z.number().int().nonnegative().max(max);
/** A finite amount within 0..max (latency, cost). */
export const Amount = (max: number) => z.number().nonnegative().finite().max(max);

/** One LLM request as sent to `POST /v1/events` (JSON array or NDJSON). */
export const LlmEvent = z.object({
  ts: Timestamp,
  service: z.string().min(1).max(200),
  provider: z.string().min(1).max(100),
  model: z.string().min(1).max(200),
  latency_ms: Amount(EVENT_LIMITS.maxLatencyMs),
  input_tokens: Count(EVENT_LIMITS.maxTokens),
  output_tokens: Count(EVENT_LIMITS.maxTokens),
  cost_usd: Amount(EVENT_LIMITS.maxCostUsd).optional(),
  status: z.enum(['ok', 'error']),
  error_type: z.string().max(200).optional(),
  error_message: z.string().max(2000).optional(),
  output_label: z.string().max(200).optional(),
  retrieval_hit: z.boolean().optional(),
  feedback: z.enum(['up', 'down']).optional(),
});
/** What a sender writes (ts as ISO string or epoch ms). */
export type LlmEventInput = z.input<typeof LlmEvent>;
/** After validation (ts in epoch ms). */
export type LlmEvent = z.output<typeof LlmEvent>;

export const IngestResponse = z.object({ accepted: z.number().int().nonnegative() });
export type IngestResponse = z.infer<typeof IngestResponse>;

export const Stats = z.object({
  events: z.number().int().nonnegative(),
  alerts: z.number().int().nonnegative(),
  lastSeq: z.number().int().nonnegative(),
  /** Newest stored event time (epoch ms), null when none; a resuming sender backfills after it. Absent before protocol 4. */
  lastEventTs: z.number().int().nullable().optional(),
});
export type Stats = z.infer<typeof Stats>;

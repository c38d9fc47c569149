import { z } from 'zod';

/** ISO 8601 timestamp or epoch milliseconds; normalised to epoch ms. */
export const Timestamp = z.union([
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
  z.number().int().nonnegative(),
]);

/** One LLM request as sent to `POST /v1/events` (JSON array or NDJSON). */
export const LlmEvent = z.object({
  ts: Timestamp,
  service: z.string().min(1).max(200),
  provider: z.string().min(1).max(100),
  model: z.string().min(1).max(200),
  latency_ms: z.number().nonnegative().finite(),
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  cost_usd: z.number().nonnegative().finite().optional(),
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

import { z } from 'zod';
import { Timestamp } from './events.js';

/** Items in one eval run: far above any real suite, low enough that sums stay exact. */
export const MAX_EVAL_ITEMS = 1_000_000_000;
const Items = z.number().int().max(MAX_EVAL_ITEMS);

/** One eval run's result, as posted to `POST /v1/evals` (one object or an array). */
export const EvalResult = z.object({
  suite: z.string().min(1).max(200),
  ts: Timestamp,
  accuracy: z.number().min(0).max(1),
  passed: Items.nonnegative().optional(),
  total: Items.positive().optional(),
});
export type EvalResultInput = z.input<typeof EvalResult>;
export type EvalResult = z.output<typeof EvalResult>;

/** The body of `POST /v1/evals`: one result or an array of them (the simulator posts arrays). */
export const EvalBatch = z.union([EvalResult, z.array(EvalResult)]);

export const EvalsAccepted = z.object({ accepted: z.number().int().nonnegative() });
export type EvalsAccepted = z.infer<typeof EvalsAccepted>;

/**
 * What a scheduled eval job prints as the LAST JSON line of its stdout. `passed <= total` is
 * not enforced: some harnesses count partial credit.
 */
export const EvalJobOutput = z.object({
  accuracy: z.number().min(0).max(1),
  total: Items.positive().optional(),
  passed: Items.nonnegative().optional(),
});
export type EvalJobOutput = z.infer<typeof EvalJobOutput>;

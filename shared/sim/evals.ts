import { z } from 'zod';
import { Timestamp } from '../protocol/events.js';

/**
 * One eval run's result, as posted to `POST /v1/evals`. Defined here until the collector's
 * eval endpoint lands in shared/protocol; the shape is the one in ARCHITECTURE.md.
 */
export const EvalResult = z.object({
  suite: z.string().min(1).max(200),
  ts: Timestamp,
  accuracy: z.number().min(0).max(1),
  passed: z.number().int().nonnegative().optional(),
  total: z.number().int().positive().optional(),
});
export type EvalResultInput = z.input<typeof EvalResult>;
export type EvalResult = z.output<typeof EvalResult>;

import { z } from 'zod';

/** `GET /api/v1/query_range` answer of a Prometheus HTTP API (the parts Vigil reads; more fields are allowed). */
export const PromRangeAnswer = z.object({
  status: z.enum(['success', 'error']),
  error: z.string().optional(),
  data: z
    .object({
      resultType: z.literal('matrix'),
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()),
          values: z.array(z.tuple([z.number(), z.string()])),
        }),
      ),
    })
    .optional(),
});
export type PromRangeAnswer = z.infer<typeof PromRangeAnswer>;

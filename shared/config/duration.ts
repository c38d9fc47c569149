import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A Prometheus-style duration ("90s", "10m", "2h") or a number of milliseconds; parsed to ms. */
export const Duration = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+(ms|s|m|h|d)$/, 'expected a duration like "30s", "10m" or "2h"')
    .transform((s) => {
      const m = /^(\d+)(ms|s|m|h|d)$/.exec(s);
      // The regex above guarantees the match.
      return m ? Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS] : 0;
    }),
]);

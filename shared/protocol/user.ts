import { z } from 'zod';
import { NO_UNSAFE_CHARS } from '../text/log-safe.js';

/**
 * Who a person is: on the stream (the actor of their commands), in the collector's config, and
 * as the one covering a rotation override. Control characters, line separators and bidi
 * overrides are never part of a name and would forge or garble log lines and calendars.
 * Its own module so that stream.ts, rotation.ts and the config can all use it without cycles.
 */
export const UserName = z
  .string()
  .min(1)
  .max(200)
  .regex(NO_UNSAFE_CHARS, 'must not contain control characters, line separators or bidi overrides');
export type UserName = z.infer<typeof UserName>;

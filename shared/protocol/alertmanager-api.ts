import { z } from 'zod';

/**
 * The parts of Alertmanager's API v2 Vigil calls (issue 17: silences made on ack). Responses are
 * validated like any other message crossing the network; unknown fields are allowed (newer
 * Alertmanagers add some).
 */

/** Matchers on one alert's labels: at most this many (Alertmanager's own label count bound, AM_MAX_LABELS). */
export const AM_SILENCE_MAX_MATCHERS = 128;
/** Answers larger than this are refused (a silence listing of a busy Alertmanager is well below). */
export const AM_API_MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export const AmMatcher = z.strictObject({
  name: z.string().min(1),
  value: z.string(),
  isRegex: z.boolean(),
  isEqual: z.boolean(),
});
export type AmMatcher = z.infer<typeof AmMatcher>;

/** `POST /api/v2/silences` body. */
export const AmPostableSilence = z.strictObject({
  matchers: z.array(AmMatcher).min(1).max(AM_SILENCE_MAX_MATCHERS),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().min(1),
  comment: z.string().min(1),
});
export type AmPostableSilence = z.infer<typeof AmPostableSilence>;

/** `POST /api/v2/silences` answer. */
export const AmSilenceCreated = z.object({ silenceID: z.string().min(1).max(200) });

/** One entry of `GET /api/v2/silences`. */
export const AmGettableSilence = z.object({
  id: z.string().min(1).max(200),
  status: z.object({ state: z.enum(['active', 'pending', 'expired']) }),
  comment: z.string(),
  createdBy: z.string(),
  matchers: z.array(z.object({ name: z.string(), value: z.string() }).loose()),
});
export const AmSilenceList = z.array(AmGettableSilence);
export type AmGettableSilence = z.infer<typeof AmGettableSilence>;

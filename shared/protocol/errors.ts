import { z } from 'zod';

/**
 * Stable error codes that cross process boundaries: HTTP bodies, ws `error` frames, and every Api
 * failure over IPC and the headless bridge (the renderer's `ApiCallError.code` is one of these, too).
 * This union is the single source; nothing else declares a code. What a client should do:
 * - bad_request / invalid_json / invalid_field / invalid_encoding: fix the request, do not retry as is
 *   (invalid_encoding: a JSON body that is not valid UTF-8).
 * - payload_too_large: split the batch and retry.
 * - unsupported_media_type: send application/json or application/x-ndjson.
 * - unauthorized: get the right token; retrying will not help.
 * - not_found: the route or entity does not exist.
 * - conflict: the command no longer applies (e.g. ack on a resolved alert); show it to the user.
 * - protocol_mismatch: upgrade the client (also: a page got a reply or code its build does not understand).
 * - request_timeout: the body did not arrive in time; retry.
 * - unavailable: the server is too busy for this request now; retry after `Retry-After` seconds
 *   (also: the page has no link to its host right now, or a feature is absent from this build).
 * - internal: retry with backoff; the server logged it.
 */
export const ErrorCode = z.enum([
  'bad_request',
  'invalid_json',
  'invalid_field',
  'invalid_encoding',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'protocol_mismatch',
  'request_timeout',
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Reads a code from a peer that may be another build; one this build does not know is a protocol mismatch. */
export function asErrorCode(raw: string): ErrorCode {
  const parsed = ErrorCode.safeParse(raw);
  return parsed.success ? parsed.data : 'protocol_mismatch';
}

export const ApiError = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    field: z.string().optional(),
  }),
});
export type ApiError = z.infer<typeof ApiError>;

/** Names the first failing field of a zod error as a dotted path, e.g. `[3].latency_ms`. */
export function describeZodError(err: z.ZodError, prefix = ''): { field: string; message: string } {
  const issue = err.issues[0];
  if (!issue) return { field: prefix || '(root)', message: 'invalid value' };
  let field = prefix;
  for (const p of issue.path) {
    field += typeof p === 'number' ? `[${p}]` : field ? `.${String(p)}` : String(p);
  }
  return { field: field || '(root)', message: issue.message };
}

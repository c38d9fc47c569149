import { z } from 'zod';
import { API_METHODS, ApiFailure, type ApiMethod, type ApiResult } from '../protocol/api.js';
import type { ErrorCode } from '../protocol/errors.js';

/** An Api failure as the UI sees it: a stable `ErrorCode` plus a sentence for people. */
export class ApiCallError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** The envelope both transports carry (IPC as is, the bridge inside a `reply` frame). */
const ReplyEnvelope = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiFailure }),
]);

/**
 * Turns one reply into the method's result, checked against the table's result schema (the host
 * may be a different build than the page), or throws an `ApiCallError` carrying the reply's code.
 */
export function settleReply<M extends ApiMethod>(method: M, reply: unknown): ApiResult<M> {
  const envelope = ReplyEnvelope.safeParse(reply);
  if (!envelope.success) throw new ApiCallError('protocol_mismatch', `Unexpected answer to ${method}`);
  if (!envelope.data.ok) throw new ApiCallError(envelope.data.error.code, envelope.data.error.message);
  const result = API_METHODS[method].result.safeParse(envelope.data.result);
  if (!result.success) throw new ApiCallError('protocol_mismatch', `Unexpected answer to ${method}`);
  // The table pairs each method with its result schema; a generic M only widens the inferred type.
  return result.data as ApiResult<M>;
}

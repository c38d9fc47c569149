/**
 * What the UI needs to read a failed call. Result schemas live in the method table
 * (shared/protocol/api.ts); replies are checked against them by `settleReply` in both transports.
 */
export { ApiCallError } from '../../../shared/api/client';

/** The message to show for anything a call rejected with. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string')
    return err.message;
  return String(err);
}

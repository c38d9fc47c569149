import { z } from 'zod';
import { Alert, AlertDetail, OutboxItem, SyncStatus, type ApiMethod, type ApiResults } from '../../../shared/protocol';

/**
 * What each Api method answers, as schemas. The bridge is a network boundary (the host may be a
 * different build than the page), so replies are checked before any store trusts them.
 */
export const RESULT_SCHEMAS: { [M in ApiMethod]: z.ZodType<ApiResults[M]> } = {
  'alerts.list': z.array(Alert),
  'alerts.get': AlertDetail.nullable(),
  'alerts.command': z.object({ commandId: z.string() }),
  'outbox.list': z.array(OutboxItem),
  'status.get': SyncStatus,
};

/** An Api failure as the UI sees it: a stable code plus a sentence for people. */
export class ApiCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** The message to show for anything a call rejected with. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string')
    return err.message;
  return String(err);
}

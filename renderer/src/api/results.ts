import { z } from 'zod';
import {
  AlarmState,
  Alert,
  AlertDetail,
  CachedRotation,
  CachedSeries,
  OutboxItem,
  SeriesCatalog,
  SyncStatus,
  type ApiMethod,
  type ApiResults,
} from '../../../shared/protocol';
import { RunbookDoc, RunbookHit, RunbookSummary } from '../../../shared/runbooks/schema';

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
  'alarm.get': AlarmState,
  'series.query': CachedSeries,
  'series.catalog': SeriesCatalog,
  'runbooks.list': z.array(RunbookSummary),
  'runbooks.get': RunbookDoc.nullable(),
  'runbooks.search': z.array(RunbookHit),
  'runbooks.forAlert': RunbookDoc.nullable(),
  'runbooks.recordStep': z.object({ commandId: z.string(), note: z.string() }),
  'rotation.get': CachedRotation.nullable(),
  'rotation.override': z.object({ commandId: z.string() }),
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

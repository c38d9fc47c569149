import { IncidentStatus, type IncidentList, type SilenceList } from '../../../shared/protocol/incident.js';
import { HttpError } from '../http/http-error.js';
import type { IncidentStore } from '../store/incident-store.js';
import type { IncidentService } from './incident-service.js';

/** `GET /v1/incidents` answers at most this many (newest first); `?limit=` asks for fewer. */
export const MAX_INCIDENTS_LIMIT = 1_000;

/** `GET /v1/incidents?status=firing|acknowledged|snoozed|resolved&limit=N`: newest first. */
export function handleIncidents(store: IncidentStore, params: URLSearchParams): IncidentList {
  const rawStatus = params.get('status');
  let status: IncidentStatus | undefined;
  if (rawStatus !== null) {
    const r = IncidentStatus.safeParse(rawStatus);
    if (!r.success) {
      throw new HttpError(400, 'invalid_field', `status must be one of ${IncidentStatus.options.join(', ')}`, 'status');
    }
    status = r.data;
  }
  const rawLimit = params.get('limit');
  let limit = MAX_INCIDENTS_LIMIT;
  if (rawLimit !== null) {
    const n = /^\d{1,7}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_INCIDENTS_LIMIT) {
      throw new HttpError(400, 'invalid_field', `limit must be an integer from 1 to ${MAX_INCIDENTS_LIMIT}`, 'limit');
    }
    limit = n;
  }
  return { incidents: store.list(status, limit) };
}

/** `GET /v1/silences`: every silence the collector holds (active, pending, recently ended). */
export function handleSilences(incidents: Pick<IncidentService, 'silences'>): SilenceList {
  return { silences: [...incidents.silences()] };
}

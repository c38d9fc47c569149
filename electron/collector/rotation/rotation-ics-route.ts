import { DEFAULT_ICS_WEEKS, MAX_ICS_WEEKS } from '../../../shared/protocol/rotation.js';
import { UserName } from '../../../shared/protocol/user.js';
import { HttpError } from '../http/http-error.js';
import type { RotationService } from './rotation-service.js';

export interface IcsQuery {
  weeks: number;
  user?: string;
}

/** `?weeks=N` (1..MAX_ICS_WEEKS, default DEFAULT_ICS_WEEKS) and `?user=NAME`; a bad value is a 400 naming it. */
export function parseIcsQuery(params: URLSearchParams): IcsQuery {
  const q: IcsQuery = { weeks: DEFAULT_ICS_WEEKS };
  const raw = params.get('weeks');
  if (raw !== null) {
    q.weeks = Number(raw);
    if (!/^\d+$/.test(raw) || q.weeks < 1 || q.weeks > MAX_ICS_WEEKS) {
      throw new HttpError(400, 'invalid_field', `weeks must be a whole number from 1 to ${MAX_ICS_WEEKS}`, 'weeks');
    }
  }
  const user = params.get('user');
  if (user !== null) {
    const r = UserName.safeParse(user);
    if (!r.success) {
      throw new HttpError(400, 'invalid_field', `user: ${r.error.issues[0]?.message ?? 'invalid'}`, 'user');
    }
    q.user = r.data;
  }
  return q;
}

/** `GET /v1/rotation.ics`: the next weeks of shifts as RFC 5545 text. */
export function handleRotationIcs(rotation: RotationService, params: URLSearchParams): string {
  const q = parseIcsQuery(params);
  const ics = rotation.ics(q.weeks, q.user);
  if (ics === undefined) throw new HttpError(404, 'not_found', 'the collector has no rotation configured');
  return ics;
}

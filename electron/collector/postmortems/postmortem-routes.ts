import { DateTime } from 'luxon';
import {
  MAX_REVIEW_MARKS_LISTED,
  POSTMORTEM_PAGE,
  WeekId,
  type PostmortemPage,
  type ReviewMarkList,
} from '../../../shared/postmortem/schema.js';
import { HttpError } from '../http/http-error.js';
import type { PostmortemService } from './postmortem-service.js';

/** `GET /v1/postmortems?after=REV&limit=N`: postmortems changed after `after`, oldest change first. */
export function handlePostmortems(service: PostmortemService, params: URLSearchParams): PostmortemPage {
  const after = wholeNumber(params, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
  const limit = wholeNumber(params, 'limit', 1, POSTMORTEM_PAGE, POSTMORTEM_PAGE);
  return service.page(after, limit);
}

/** `GET /v1/review/marks?since=YYYY-MM-DD`: review marks of that week (a Monday) and later. */
export function handleReviewMarks(service: PostmortemService, params: URLSearchParams): ReviewMarkList {
  const raw = params.get('since');
  let since = '0000-01-01';
  if (raw !== null) {
    const r = WeekId.safeParse(raw);
    if (!r.success)
      throw new HttpError(400, 'invalid_field', `since: ${r.error.issues[0]?.message ?? 'invalid'}`, 'since');
    since = DateTime.fromISO(r.data, { zone: 'UTC' }).toISODate() ?? r.data;
  }
  return { marks: service.marks(since, MAX_REVIEW_MARKS_LISTED) };
}

function wholeNumber(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) {
    throw new HttpError(400, 'invalid_field', `${name} must be a whole number from ${min} to ${max}`, name);
  }
  return n;
}

import { HttpError } from '../http/http-error.js';
import type { RunbookLibrary } from './runbook-library.js';

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** True for the paths this module answers: /v1/runbooks and /v1/runbooks/:id. */
export function isRunbookPath(pathname: string): boolean {
  return pathname === '/v1/runbooks' || pathname.startsWith('/v1/runbooks/');
}

/**
 * `GET /v1/runbooks` → `{runbooks, invalid}`; `GET /v1/runbooks/:id` → the document with its
 * parsed tree. Throws HttpError for anything else (the handler turns it into JSON).
 */
export function routeRunbooks(library: RunbookLibrary | undefined, method: string, pathname: string): unknown {
  if (method !== 'GET') throw new HttpError(405, 'bad_request', `runbooks are read-only: use GET, not ${method}`);
  if (!library) throw new HttpError(404, 'not_found', 'this collector serves no runbooks');
  if (pathname === '/v1/runbooks') return library.list();
  const raw = pathname.slice('/v1/runbooks/'.length);
  const id = /%/.test(raw) ? '' : raw; // ids are plain kebab-case: an escape is never a valid one
  if (!ID.test(id)) throw new HttpError(400, 'invalid_field', 'runbook id must be kebab-case, e.g. error-rate', 'id');
  const doc = library.get(id);
  if (!doc) throw new HttpError(404, 'not_found', `no runbook "${id}"`);
  return doc;
}

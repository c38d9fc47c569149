import { HttpError } from './http-error.js';

export { parseTarget } from '../../node/request-target.js';

/** The answer to a target `parseTarget` refused. */
export function badTarget(): HttpError {
  return new HttpError(400, 'bad_request', 'the request target must be a path such as /v1/events');
}

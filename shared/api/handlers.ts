import {
  API_METHODS,
  isApiMethod,
  type ApiFailure,
  type ApiHandlerParams,
  type ApiHandlerResult,
  type ApiMethod,
  type ApiReply,
} from '../protocol/api.js';
import { describeZodError } from '../protocol/errors.js';

/** Answers one method: gets its validated params, returns its result (or throws an `ApiRefusal`). */
export type ApiHandler<M extends ApiMethod> = (
  params: ApiHandlerParams<M>,
) => ApiHandlerResult<M> | Promise<ApiHandlerResult<M>>;

/**
 * One handler per method of the table. Main declares its handlers as an object literal
 * `satisfies ApiHandlers`, so a method without a handler (or a handler for no method, or one
 * answering the wrong shape) fails to compile.
 */
export type ApiHandlers = { [M in ApiMethod]: ApiHandler<M> };

/** Thrown inside a handler to answer with a specific code; `dispatchApiCall` turns it into the reply. */
export class ApiRefusal extends Error {
  constructor(readonly failure: ApiFailure) {
    super(failure.message);
    this.name = 'ApiRefusal';
  }
}

const INTERNAL: ApiFailure = { code: 'internal', message: 'internal error; see the app log' };

/**
 * Validates one call from the less trusted side (method from the table, then that method's params)
 * and runs its handler. Never throws, never rejects: every failure is a coded reply.
 * `onUnexpected` hears about handler errors that were not refusals (they answer `internal`).
 */
export async function dispatchApiCall(
  handlers: ApiHandlers,
  call: unknown,
  onUnexpected: (method: ApiMethod, err: unknown) => void,
): Promise<ApiReply> {
  if (typeof call !== 'object' || call === null || Array.isArray(call)) {
    return refuse('invalid_field', '(root): a call is an object {method, params}');
  }
  const { method, params } = call as { method?: unknown; params?: unknown };
  if (!isApiMethod(method)) return refuse('invalid_field', 'method: no such method');
  return run(handlers, method, params, onUnexpected);
}

async function run<M extends ApiMethod>(
  handlers: ApiHandlers,
  method: M,
  rawParams: unknown,
  onUnexpected: (method: ApiMethod, err: unknown) => void,
): Promise<ApiReply> {
  const parsed = API_METHODS[method].params.safeParse(rawParams);
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error, 'params');
    return refuse('invalid_field', `${field}: ${message}`);
  }
  const handler: ApiHandler<M> = handlers[method];
  try {
    // safeParse on a generic M widens to the union of all params; the table pairs them, so this is M's.
    return { ok: true, result: await handler(parsed.data as ApiHandlerParams<M>) };
  } catch (err) {
    if (err instanceof ApiRefusal) return { ok: false, error: err.failure };
    onUnexpected(method, err);
    return { ok: false, error: INTERNAL };
  }
}

function refuse(code: ApiFailure['code'], message: string): ApiReply {
  return { ok: false, error: { code, message } };
}

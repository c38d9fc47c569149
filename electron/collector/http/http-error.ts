import type { ErrorCode } from '../../../shared/protocol/errors.js';

/** A request failure that maps onto `{error: {code, message, field?}}` with an HTTP status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    /** Extra response headers, e.g. `retry-after` on a 503. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): { error: { code: ErrorCode; message: string; field?: string } } {
    return {
      error: { code: this.code, message: this.message, ...(this.field !== undefined ? { field: this.field } : {}) },
    };
  }
}

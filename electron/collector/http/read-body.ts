import type { IncomingMessage } from 'node:http';
import type { BodyAccount } from './body-budget.js';
import { HttpError } from './http-error.js';

export interface ReadOptions {
  /** The whole body must have arrived this many ms after reading starts, or the read fails with 408. */
  deadlineMs?: number;
  /**
   * Each chunk is accounted for here before it is kept; a chunk the account refuses ends the
   * read with `overBudget()` (see BodyBudget).
   */
  budget?: { account: BodyAccount; overBudget: () => HttpError };
}

/** The 413 every body reader answers past its limit (raw or inflated). */
export function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes: split the batch`);
}

/**
 * Collects the raw body up to `maxBytes`. Over the limit (declared or actual) it stops buffering
 * at once and rejects with 413; past `deadlineMs` it stops and rejects with 408; over its budget
 * it stops and rejects as the budget says. The caller answers and closes the connection (see
 * `routes.ts`).
 */
export function collectBody(req: IncomingMessage, maxBytes: number, opts: ReadOptions = {}): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (): void => {
      done = true;
      chunks.length = 0;
      if (timer !== undefined) clearTimeout(timer);
      req.off('data', onData);
    };
    const onData = (chunk: Buffer): void => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        finish();
        reject(tooLarge(maxBytes));
        return;
      }
      if (opts.budget && !opts.budget.account.take(chunk.length)) {
        finish();
        reject(opts.budget.overBudget());
        return;
      }
      chunks.push(chunk);
    };
    const timer =
      opts.deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            if (done) return;
            finish();
            reject(new HttpError(408, 'request_timeout', `request body did not arrive within ${opts.deadlineMs} ms`));
          }, opts.deadlineMs);
    req.on('data', onData);
    req.once('end', () => {
      if (done) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      finish();
      resolve(body);
    });
    req.once('error', (err) => {
      if (done) return;
      finish();
      reject(new HttpError(400, 'bad_request', `could not read body: ${err.message}`));
    });
    // The connection went away (e.g. node's request timeout) without 'end' or 'error': let go.
    req.once('close', () => {
      if (done) return;
      finish();
      reject(new HttpError(400, 'bad_request', 'connection closed before the body was complete'));
    });
  });
}

/**
 * One decoder for every JSON body: `fatal` makes invalid UTF-8 an error instead of U+FFFD, so a
 * sender's broken encoding is answered 400 rather than stored garbled. It is also the single
 * decode pass of the hot path (faster than `Buffer#toString` for large bodies); a leading BOM is
 * dropped. Safe to share: `decode` without `{stream: true}` keeps no state between calls.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

export function invalidEncoding(): HttpError {
  return new HttpError(400, 'invalid_encoding', 'request body is not valid UTF-8');
}

/** Decodes a JSON body, answering 400 `invalid_encoding` when it is not valid UTF-8. */
export function decodeUtf8(body: Uint8Array): string {
  try {
    return UTF8.decode(body);
  } catch {
    throw invalidEncoding();
  }
}

/** Reads a text (JSON / NDJSON) body up to `maxBytes`; see `collectBody` and `decodeUtf8`. */
export async function readBody(req: IncomingMessage, maxBytes: number, opts: ReadOptions = {}): Promise<string> {
  return decodeUtf8(await collectBody(req, maxBytes, opts));
}

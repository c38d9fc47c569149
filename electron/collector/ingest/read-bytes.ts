import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { HttpError } from '../http/http-error.js';
import { collectBody, invalidEncoding, tooLarge } from '../http/read-body.js';

/**
 * Reads a binary body up to `maxBytes` (protobuf must not go through a UTF-8 decode) and undoes
 * `Content-Encoding: gzip`, which OTLP exporters may use; the inflated size has the same limit.
 * `utf8`: the body is JSON, so invalid UTF-8 (checked after inflating, without decoding) is a
 * 400 `invalid_encoding` rather than U+FFFD replacements further on.
 */
export async function readBytes(
  req: IncomingMessage,
  maxBytes: number,
  opts: { utf8?: boolean } = {},
): Promise<Buffer> {
  const body = inflate(req, await collectBody(req, maxBytes), maxBytes);
  if (opts.utf8 === true && !isUtf8(body)) throw invalidEncoding();
  return body;
}

function inflate(req: IncomingMessage, raw: Buffer, maxBytes: number): Buffer {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding === 'identity' || encoding === '') return raw;
  if (encoding !== 'gzip') {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `content-encoding must be gzip or identity, got "${encoding}"`,
      'content-encoding',
    );
  }
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new HttpError(400, 'bad_request', `body is not valid gzip: ${(err as Error).message}`, 'content-encoding');
  }
}

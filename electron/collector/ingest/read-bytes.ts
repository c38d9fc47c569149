import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { HttpError } from '../http/http-error.js';

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes: split the batch`);
}

/**
 * Reads a binary body up to `maxBytes` (protobuf must not go through a UTF-8 decode) and undoes
 * `Content-Encoding: gzip`, which OTLP exporters may use; the inflated size has the same limit.
 */
export async function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer): void => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        chunks.length = 0;
        req.off('data', onData);
        reject(tooLarge(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks));
    });
    req.once('error', (err) => {
      if (done) return;
      done = true;
      reject(new HttpError(400, 'bad_request', `could not read body: ${err.message}`));
    });
  });
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

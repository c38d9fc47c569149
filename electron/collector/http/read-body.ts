import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * Reads the body up to `maxBytes`. Over the limit it stops buffering at once and rejects with
 * 413; the caller answers and closes the connection (see `server.ts`).
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const tooLarge = (): HttpError =>
    new HttpError(413, 'payload_too_large', `request body exceeds ${maxBytes} bytes: split the batch`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
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
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.once('error', (err) => {
      if (done) return;
      done = true;
      reject(new HttpError(400, 'bad_request', `could not read body: ${err.message}`));
    });
  });
}

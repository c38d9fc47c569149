/*
 * Reading an HTTP answer with a byte bound: the collector (Alertmanager, Prometheus) and the
 * desktop (charts from the collector's Prometheus source) both do it.
 */

/** An answer over the caller's byte bound. */
export class ResponseTooLarge extends Error {}

/** The body as text, refusing (and cancelling) it past `max` bytes. */
export async function readBounded(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw new ResponseTooLarge(`answer of ${declared} bytes is over ${max}`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new ResponseTooLarge(`answer is over ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

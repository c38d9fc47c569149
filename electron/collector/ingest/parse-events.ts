import { describeZodError } from '../../../shared/protocol/errors.js';
import { LlmEvent } from '../../../shared/protocol/events.js';
import { HttpError } from '../http/http-error.js';

export type BodyFormat = 'json' | 'ndjson';

/** `application/json` or `application/x-ndjson` (parameters such as charset ignored); else 415. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/ndjson') return 'ndjson';
  throw new HttpError(415, 'unsupported_media_type', `content-type must be application/json or application/x-ndjson, got ${contentType ? `"${contentType}"` : 'none'}`);
}

interface Item {
  value: unknown;
  /** How an error names this item: `[3]` for array elements, `line 4: ` for NDJSON lines. */
  prefix: string;
  lineLabel?: string;
}

function parseNdjson(text: string): Item[] {
  const items: Item[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      items.push({ value: JSON.parse(line), prefix: `[${items.length}]`, lineLabel: `line ${i + 1}` });
    } catch (err) {
      throw new HttpError(400, 'invalid_json', `line ${i + 1}: ${(err as Error).message}`, `line ${i + 1}`);
    }
  });
  return items;
}

/**
 * Parses and validates a whole batch; throws HttpError on the first problem (the batch is atomic).
 * `application/json` carries an array or one object. Many log shippers label NDJSON as
 * application/json, so a JSON body that fails to parse as one value but has several lines is
 * read as NDJSON; errors then name the line.
 */
export function parseEvents(text: string, format: BodyFormat, maxEvents: number): LlmEvent[] {
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'request body is empty');
  let items: Item[];
  if (format === 'ndjson') {
    items = parseNdjson(text);
  } else {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      if (text.trim().includes('\n')) {
        items = parseNdjson(text);
        return validate(items, maxEvents);
      }
      throw new HttpError(400, 'invalid_json', `malformed JSON: ${(err as Error).message}`);
    }
    if (Array.isArray(value)) items = value.map((v, i) => ({ value: v, prefix: `[${i}]` }));
    else if (value !== null && typeof value === 'object') items = [{ value, prefix: '' }];
    else throw new HttpError(400, 'invalid_field', 'body must be an event object or an array of events', '(root)');
  }
  return validate(items, maxEvents);
}

function validate(items: Item[], maxEvents: number): LlmEvent[] {
  if (items.length > maxEvents) {
    throw new HttpError(413, 'payload_too_large', `batch has ${items.length} events; the limit is ${maxEvents}: split it`);
  }
  const out: LlmEvent[] = [];
  for (const item of items) {
    const r = LlmEvent.safeParse(item.value);
    if (!r.success) {
      const inner = describeZodError(r.error);
      const d = describeZodError(r.error, item.prefix);
      const where = item.lineLabel ? `${item.lineLabel}: ${inner.field}` : d.field;
      throw new HttpError(400, 'invalid_field', `${where}: ${inner.message}`, item.lineLabel ? where : d.field);
    }
    out.push(r.data);
  }
  return out;
}

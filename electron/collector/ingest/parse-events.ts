import { describeZodError } from '../../../shared/protocol/errors.js';
import { LlmEvent } from '../../../shared/protocol/events.js';
import { HttpError } from '../http/http-error.js';
import { fastValidateEvent } from './fast-validate.js';

export type BodyFormat = 'json' | 'ndjson';

/** `application/json` or `application/x-ndjson` (parameters such as charset ignored); else 415. */
export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-ndjson' || type === 'application/ndjson') return 'ndjson';
  throw new HttpError(
    415,
    'unsupported_media_type',
    `content-type must be application/json or application/x-ndjson, got ${contentType ? `"${contentType}"` : 'none'}`,
  );
}

interface Item {
  value: unknown;
  /** How an error names this item: `[3]` for array elements, `line 4: ` for NDJSON lines. */
  prefix: string;
  lineLabel?: string;
}

/**
 * NDJSON: parse every line (a malformed line is a 400 before anything else), then the 413 check,
 * then validate — the same order as for a JSON array. The hot path: no per-line objects or
 * labels unless a line is bad.
 */
function parseNdjson(text: string, maxEvents: number): LlmEvent[] {
  const lines = text.split('\n');
  const values: unknown[] = [];
  const lineNos: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    // Most lines are `{...}` with nothing around them: skip trim()'s scan and copy for those.
    const line = raw.charCodeAt(0) === 123 && raw.charCodeAt(raw.length - 1) === 125 ? raw : raw.trim();
    if (!line) continue;
    try {
      values.push(JSON.parse(line));
    } catch (err) {
      throw new HttpError(400, 'invalid_json', `line ${i + 1}: ${(err as Error).message}`, `line ${i + 1}`);
    }
    lineNos.push(i + 1);
  }
  if (values.length > maxEvents) throw tooMany(values.length, maxEvents);
  const out: LlmEvent[] = new Array<LlmEvent>(values.length);
  for (let j = 0; j < values.length; j++) {
    const value = values[j];
    out[j] = fastValidateEvent(value) ?? validateOne({ value, prefix: `[${j}]`, lineLabel: `line ${lineNos[j] ?? 0}` });
  }
  fieldNames.set(out, (i, field) => `line ${lineNos[i] ?? 0}: ${field}`);
  return out;
}

/**
 * How errors name a field of event i of a parsed batch, for checks made after parsing (the
 * clock check in the pipeline): `[3].ts` in an array, `ts` for a single object, `line 4: ts`
 * in NDJSON. Kept beside the batch (weakly), so the hot path allocates nothing per event.
 */
const fieldNames = new WeakMap<readonly LlmEvent[], (i: number, field: string) => string>();

export function eventField(events: readonly LlmEvent[], i: number, field: string): string {
  return fieldNames.get(events)?.(i, field) ?? `[${i}].${field}`;
}

function tooMany(count: number, maxEvents: number): HttpError {
  return new HttpError(413, 'payload_too_large', `batch has ${count} events; the limit is ${maxEvents}: split it`);
}

/**
 * Parses and validates a whole batch; throws HttpError on the first problem (the batch is atomic).
 * `application/json` carries an array or one object. Many log shippers label NDJSON as
 * application/json, so a JSON body that fails to parse as one value but has several lines is
 * read as NDJSON; errors then name the line.
 */
export function parseEvents(text: string, format: BodyFormat, maxEvents: number): LlmEvent[] {
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'request body is empty');
  if (format === 'ndjson') return parseNdjson(text, maxEvents);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (text.trim().includes('\n')) return parseNdjson(text, maxEvents);
    throw new HttpError(400, 'invalid_json', `malformed JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(value))
    return validate(
      value.map((v: unknown, i) => ({ value: v, prefix: `[${i}]` })),
      maxEvents,
    );
  if (value === null || typeof value !== 'object')
    throw new HttpError(400, 'invalid_field', 'body must be an event object or an array of events', '(root)');
  const one = validate([{ value, prefix: '' }], maxEvents);
  fieldNames.set(one, (_i, field) => field);
  return one;
}

function validate(items: Item[], maxEvents: number): LlmEvent[] {
  if (items.length > maxEvents) throw tooMany(items.length, maxEvents);
  return items.map((item) => fastValidateEvent(item.value) ?? validateOne(item));
}

/** The slow path: zod decides (and names the field when it rejects). */
function validateOne(item: Item): LlmEvent {
  const r = LlmEvent.safeParse(item.value);
  if (!r.success) {
    const inner = describeZodError(r.error);
    const d = describeZodError(r.error, item.prefix);
    const where = item.lineLabel ? `${item.lineLabel}: ${inner.field}` : d.field;
    throw new HttpError(400, 'invalid_field', `${where}: ${inner.message}`, item.lineLabel ? where : d.field);
  }
  return r.data;
}

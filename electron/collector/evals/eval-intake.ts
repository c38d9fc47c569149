import { EvalResult } from '../../../shared/protocol/evals.js';
import { describeZodError } from '../../../shared/protocol/errors.js';
import { HttpError } from '../http/http-error.js';
import type { EventTimeGuard } from '../ingest/event-time.js';
import type { EvalRecorder } from './eval-recorder.js';

/** `POST /v1/evals`: one result or an array; the batch is atomic (one bad item rejects it, naming it). */
export function parseEvalBatch(text: string, maxItems: number): EvalResult[] {
  if (!text.trim()) throw new HttpError(400, 'invalid_json', 'request body is empty');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, 'invalid_json', `malformed JSON: ${(err as Error).message}`);
  }
  if (Array.isArray(raw) && raw.length > maxItems) {
    throw new HttpError(
      413,
      'payload_too_large',
      `batch has ${raw.length} eval results; the limit is ${maxItems}: split it`,
    );
  }
  if (raw === null || typeof raw !== 'object') {
    throw new HttpError(400, 'invalid_field', 'body must be an eval result object or an array of them', '(root)');
  }
  // Validate item by item so the error names the element, not the union.
  const items = Array.isArray(raw) ? raw : [raw];
  const out: EvalResult[] = [];
  items.forEach((item, i) => {
    const r = EvalResult.safeParse(item);
    if (!r.success) {
      const d = describeZodError(r.error, Array.isArray(raw) ? `[${i}]` : '');
      throw new HttpError(400, 'invalid_field', `${d.field}: ${d.message}`, d.field);
    }
    out.push(r.data);
  });
  return out;
}

/**
 * `time`: the ingest clock check; a run dated too far ahead is a 400 naming its `ts`. A run of a
 * new suite past `evals.maxSuites` is a 400 naming its `suite`. Either way nothing is stored.
 */
export function acceptEvals(
  text: string,
  maxItems: number,
  recorder: EvalRecorder,
  time?: EventTimeGuard,
): { accepted: number } {
  const runs = parseEvalBatch(text, maxItems);
  const single = !text.trimStart().startsWith('[');
  time?.check(runs, (i) => (single ? 'ts' : `[${i}].ts`));
  recorder.checkSuites(runs, (i) => (single ? 'suite' : `[${i}].suite`));
  recorder.record(runs, 'http');
  return { accepted: runs.length };
}

import { describeZodError } from '../../../../shared/protocol/errors.js';
import type { LlmEvent } from '../../../../shared/protocol/events.js';
import { OtlpTraceRequest, type OtlpTraceResponse } from '../../../../shared/protocol/otlp.js';
import { HttpError } from '../../http/http-error.js';
import type { EventTimeGuard } from '../event-time.js';
import { attrString, attributeMap } from './attributes.js';
import { mapSpan } from './genai-span.js';
import { decodeTraceRequest } from './trace-proto.js';

export type OtlpEncoding = 'json' | 'protobuf';

/** `application/json` or `application/x-protobuf` (OTLP/HTTP's two encodings); else 415. */
export function otlpEncoding(contentType: string | undefined): OtlpEncoding {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  throw new HttpError(
    415,
    'unsupported_media_type',
    `content-type must be application/json or application/x-protobuf, got ${contentType ? `"${contentType}"` : 'none'}`,
  );
}

/** Decodes and validates the body; malformed input is a 400 naming the field. */
export function parseTraceRequest(body: Buffer, encoding: OtlpEncoding): OtlpTraceRequest {
  let raw: unknown;
  if (encoding === 'json') {
    try {
      raw = JSON.parse(body.toString('utf8'));
    } catch (err) {
      throw new HttpError(400, 'invalid_json', `malformed JSON: ${(err as Error).message}`);
    }
  } else {
    try {
      raw = decodeTraceRequest(body);
    } catch (err) {
      throw new HttpError(400, 'bad_request', `not a valid ExportTraceServiceRequest: ${(err as Error).message}`);
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new HttpError(400, 'invalid_field', 'body must be an ExportTraceServiceRequest object', '(root)');
  }
  const r = OtlpTraceRequest.safeParse(raw);
  if (!r.success) {
    const d = describeZodError(r.error);
    throw new HttpError(400, 'invalid_field', `${d.field}: ${d.message}`, d.field);
  }
  return r.data;
}

export interface MappedTraces {
  events: LlmEvent[];
  /** Spans that are not GenAI model calls. */
  ignored: number;
  /** GenAI spans that could not become an event (no model, bad times). */
  rejected: number;
  reasons: string[];
}

/** How many rejection reasons the answer quotes; the count is always exact. */
const MAX_REASONS = 5;

/** `time`: the ingest clock check; spans dated too far ahead are rejected (partial success), not stored. */
export function mapTraceRequest(req: OtlpTraceRequest, maxSpans: number, time?: EventTimeGuard): MappedTraces {
  let total = 0;
  for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) total += ss.spans?.length ?? 0;
  if (total > maxSpans) {
    throw new HttpError(413, 'payload_too_large', `request has ${total} spans; the limit is ${maxSpans}: split it`);
  }
  const out: MappedTraces = { events: [], ignored: 0, rejected: 0, reasons: [] };
  const ceiling = time?.ceiling();
  const timeProblem = (ts: number): string | undefined => time?.problem(ts, ceiling);
  let tooFarAhead = 0;
  for (const rs of req.resourceSpans ?? []) {
    const service = attrString(attributeMap(rs.resource?.attributes), 'service.name') ?? 'unknown_service';
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        const o = mapSpan(span, service, timeProblem);
        if (o.kind === 'event') out.events.push(o.event);
        else if (o.kind === 'ignored') out.ignored += 1;
        else {
          out.rejected += 1;
          if (o.tooFarAhead) tooFarAhead += 1;
          if (out.reasons.length < MAX_REASONS) out.reasons.push(o.reason);
        }
      }
    }
  }
  time?.refused(tooFarAhead);
  return out;
}

/**
 * OTLP's answer: full success leaves `partialSuccess` unset; rejected spans are counted, and the
 * message also warns about ignored non-GenAI spans (OTLP allows a message with 0 rejected).
 */
export function traceResponse(m: MappedTraces): OtlpTraceResponse {
  if (m.rejected === 0 && m.ignored === 0) return {};
  const parts: string[] = [];
  if (m.rejected > 0) parts.push(`${m.rejected} GenAI span(s) rejected: ${m.reasons.join('; ')}`);
  if (m.ignored > 0) parts.push(`${m.ignored} non-GenAI span(s) ignored`);
  return { partialSuccess: { rejectedSpans: m.rejected, errorMessage: parts.join('; ') } };
}

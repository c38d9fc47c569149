import { z } from 'zod';

/**
 * OTLP/HTTP traces, JSON encoding (opentelemetry-proto `ExportTraceServiceRequest`, protobuf
 * JSON mapping with OTLP's exceptions): lowerCamelCase keys, trace/span ids as hex, int64 as
 * decimal strings or numbers, enums as integers. Receivers must ignore unknown fields, so the
 * objects are not strict. Only what the GenAI mapping reads is typed; the rest passes through.
 * The protobuf decoder produces this same shape, so both encodings share one validation.
 */

/**
 * int64/uint64: a decimal string (protobuf JSON mapping) or a JSON number. Numbers are not held
 * to safe-integer range: nanosecond timestamps exceed 2^53 and lose only sub-microsecond digits.
 */
export const OtlpInt64 = z.union([
  z.string().regex(/^-?\d+$/, 'expected an integer (number or decimal string)'),
  z.number().finite(),
]);

export const OtlpAnyValue = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: OtlpInt64.optional(),
  doubleValue: z.union([z.number(), z.enum(['NaN', 'Infinity', '-Infinity'])]).optional(),
  bytesValue: z.string().optional(),
  get arrayValue() {
    return z.object({ values: z.array(OtlpAnyValue).optional() }).optional();
  },
  get kvlistValue() {
    return z.object({ values: z.array(OtlpKeyValue).optional() }).optional();
  },
});
export type OtlpAnyValue = z.infer<typeof OtlpAnyValue>;

export const OtlpKeyValue = z.object({
  key: z.string(),
  /** Absent means an empty value (protobuf default). */
  value: OtlpAnyValue.optional(),
});
export type OtlpKeyValue = z.infer<typeof OtlpKeyValue>;

/** 0 unset, 1 ok, 2 error; the enum names are accepted too, as some JSON exporters write them. */
export const OtlpStatusCode = z.union([
  z.number().int().min(0).max(2),
  z.enum(['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR']),
]);

export const OtlpSpan = z.object({
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  name: z.string().optional(),
  kind: z.union([z.number().int(), z.string()]).optional(),
  startTimeUnixNano: OtlpInt64.optional(),
  endTimeUnixNano: OtlpInt64.optional(),
  attributes: z.array(OtlpKeyValue).optional(),
  status: z.object({ code: OtlpStatusCode.optional(), message: z.string().optional() }).optional(),
});
export type OtlpSpan = z.infer<typeof OtlpSpan>;

export const OtlpScopeSpans = z.object({
  scope: z.object({ name: z.string().optional(), version: z.string().optional() }).optional(),
  spans: z.array(OtlpSpan).optional(),
});

export const OtlpResourceSpans = z.object({
  resource: z.object({ attributes: z.array(OtlpKeyValue).optional() }).optional(),
  scopeSpans: z.array(OtlpScopeSpans).optional(),
});

export const OtlpTraceRequest = z.object({ resourceSpans: z.array(OtlpResourceSpans).optional() });
export type OtlpTraceRequest = z.infer<typeof OtlpTraceRequest>;

/**
 * The 200 answer. `partialSuccess` is present only when spans were rejected or something is
 * worth a warning (non-GenAI spans ignored), as the OTLP spec asks.
 */
export const OtlpTraceResponse = z.object({
  partialSuccess: z.object({ rejectedSpans: z.number().int().nonnegative(), errorMessage: z.string() }).optional(),
});
export type OtlpTraceResponse = z.infer<typeof OtlpTraceResponse>;

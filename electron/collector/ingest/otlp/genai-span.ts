import { LlmEvent } from '../../../../shared/protocol/events.js';
import type { OtlpSpan } from '../../../../shared/protocol/otlp.js';
import { describeZodError } from '../../../../shared/protocol/errors.js';
import { attrCount, attrString, attributeMap, type AttrValue } from './attributes.js';

/**
 * OpenTelemetry GenAI semantic conventions (opentelemetry.io/docs/specs/semconv/gen-ai/
 * gen-ai-spans) → Vigil's LlmEvent. Attribute names, newest first where they were renamed:
 * provider `gen_ai.provider.name` (semconv ≥ 1.37) then `gen_ai.system` (≤ 1.36); tokens
 * `gen_ai.usage.input_tokens`/`output_tokens` then the older `prompt_tokens`/`completion_tokens`.
 */
export const GENAI = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  system: 'gen_ai.system',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  promptTokens: 'gen_ai.usage.prompt_tokens',
  completionTokens: 'gen_ai.usage.completion_tokens',
  errorType: 'error.type',
} as const;

/**
 * Optional Vigil attributes a service may add to its GenAI spans so traces carry what the
 * native events carry (the output-drift, retrieval and feedback rules read them).
 */
export const VIGIL_ATTRS = {
  outputLabel: 'vigil.output_label',
  retrievalHit: 'vigil.retrieval_hit',
  feedback: 'vigil.feedback',
} as const;

/**
 * GenAI operations that are not a request to a model: tool executions and agent spans (an
 * agent span wraps the model calls, which have their own spans; counting both would double).
 */
const NOT_MODEL_CALLS = new Set(['execute_tool', 'invoke_agent', 'create_agent']);

/** Semconv provider names → the provider ids of the price table. */
const PROVIDER_ALIASES: Record<string, string> = {
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
};

/** OTLP status code 2 = ERROR. */
const STATUS_ERROR = 2;

export type SpanOutcome =
  | { kind: 'event'; event: LlmEvent }
  | { kind: 'ignored' }
  /** `tooFarAhead`: refused by the clock check (counted in /metrics). */
  | { kind: 'rejected'; reason: string; tooFarAhead?: boolean };

const NANOS_PER_MS = 1_000_000n;

function nanosToMs(v: string | number | undefined): { ms: number; nanos: bigint } | undefined {
  if (v === undefined) return undefined;
  const nanos = BigInt(typeof v === 'number' ? Math.trunc(v) : v);
  if (nanos <= 0n) return undefined;
  return { ms: Number(nanos / NANOS_PER_MS), nanos };
}

function statusIsError(code: string | number | undefined): boolean {
  return code === STATUS_ERROR || code === 'STATUS_CODE_ERROR';
}

function clip(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

function optionalLabel(attrs: Map<string, AttrValue>): Pick<LlmEvent, 'output_label' | 'retrieval_hit' | 'feedback'> {
  const out: Pick<LlmEvent, 'output_label' | 'retrieval_hit' | 'feedback'> = {};
  const label = attrString(attrs, VIGIL_ATTRS.outputLabel);
  if (label) out.output_label = clip(label, 200);
  const hit = attrs.get(VIGIL_ATTRS.retrievalHit);
  if (typeof hit === 'boolean') out.retrieval_hit = hit;
  const fb = attrs.get(VIGIL_ATTRS.feedback);
  if (fb === 'up' || fb === 'down') out.feedback = fb;
  return out;
}

/**
 * Maps one span; `service` comes from the resource's `service.name`. `timeProblem` (the
 * ingest clock check) says why a start time is refused, e.g. too far ahead of the clock.
 */
export function mapSpan(
  span: OtlpSpan,
  service: string,
  timeProblem: (ts: number) => string | undefined = () => undefined,
): SpanOutcome {
  const attrs = attributeMap(span.attributes);
  const operation = attrString(attrs, GENAI.operation);
  const rawProvider = attrString(attrs, GENAI.provider, GENAI.system);
  if (operation === undefined && rawProvider === undefined) return { kind: 'ignored' };
  if (operation !== undefined && NOT_MODEL_CALLS.has(operation)) return { kind: 'ignored' };

  const name = span.name ? `span "${clip(span.name, 80)}"` : 'span';
  // The response model is what actually served the request (e.g. a dated snapshot); the request model is the fallback.
  const model = attrString(attrs, GENAI.responseModel, GENAI.requestModel);
  if (!model) return { kind: 'rejected', reason: `${name}: no ${GENAI.responseModel} or ${GENAI.requestModel}` };
  let start: ReturnType<typeof nanosToMs>;
  let end: ReturnType<typeof nanosToMs>;
  try {
    start = nanosToMs(span.startTimeUnixNano);
    end = nanosToMs(span.endTimeUnixNano);
  } catch {
    return { kind: 'rejected', reason: `${name}: start/end time is not an integer` };
  }
  if (!start) return { kind: 'rejected', reason: `${name}: startTimeUnixNano missing` };
  if (!end || end.nanos < start.nanos)
    return { kind: 'rejected', reason: `${name}: endTimeUnixNano missing or before the start` };

  const provider = rawProvider ? (PROVIDER_ALIASES[rawProvider] ?? rawProvider) : 'unknown';
  const errorType = attrString(attrs, GENAI.errorType);
  const isError = statusIsError(span.status?.code) || errorType !== undefined;
  const candidate = {
    ts: start.ms,
    service: clip(service, 200),
    provider: clip(provider, 100),
    model: clip(model, 200),
    // Microsecond precision: protobuf int64 decode as JS numbers carries sub-µs noise.
    latency_ms: Math.round(Number(end.nanos - start.nanos) / 1e3) / 1e3,
    input_tokens: attrCount(attrs, GENAI.inputTokens, GENAI.promptTokens) ?? 0,
    output_tokens: attrCount(attrs, GENAI.outputTokens, GENAI.completionTokens) ?? 0,
    status: isError ? 'error' : 'ok',
    ...(isError && errorType ? { error_type: clip(errorType, 200) } : {}),
    ...(isError && span.status?.message ? { error_message: clip(span.status.message, 2000) } : {}),
    ...optionalLabel(attrs),
  };
  const r = LlmEvent.safeParse(candidate);
  if (!r.success) {
    const d = describeZodError(r.error);
    const field = d.field === 'ts' ? 'startTimeUnixNano' : d.field;
    return { kind: 'rejected', reason: `${name}: ${field}: ${d.message}` };
  }
  const problem = timeProblem(r.data.ts);
  if (problem !== undefined)
    return { kind: 'rejected', reason: `${name}: startTimeUnixNano: ${problem}`, tooFarAhead: true };
  return { kind: 'event', event: r.data };
}

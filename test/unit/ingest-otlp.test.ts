import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { OtlpSpan } from '../../shared/protocol/otlp.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { mapSpan } from '../../electron/collector/ingest/otlp/genai-span.js';
import {
  decodeTraceRequest,
  decodeTraceResponse,
  encodeTraceRequest,
  encodeTraceResponse,
} from '../../electron/collector/ingest/otlp/trace-proto.js';
import {
  mapTraceRequest,
  otlpEncoding,
  parseTraceRequest,
  traceResponse,
} from '../../electron/collector/ingest/otlp/traces.js';

const FIXTURE = readFileSync(resolve(import.meta.dirname, '../fixtures/otlp-genai.json'), 'utf8');

const T0 = 1_763_553_600_000n * 1_000_000n;
function span(attrs: Record<string, string | number | boolean>, extra: Partial<OtlpSpan> = {}): OtlpSpan {
  return {
    name: 'chat',
    startTimeUnixNano: String(T0),
    endTimeUnixNano: String(T0 + 750_000_000n),
    attributes: Object.entries(attrs).map(([key, v]) => ({
      key,
      value:
        typeof v === 'string'
          ? { stringValue: v }
          : typeof v === 'boolean'
            ? { boolValue: v }
            : { intValue: String(v) },
    })),
    ...extra,
  };
}

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected an HttpError');
}

describe('GenAI span mapping', () => {
  it('maps the current semantic conventions, response model winning', () => {
    const o = mapSpan(
      span({
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.usage.input_tokens': 120,
        'gen_ai.usage.output_tokens': 30,
      }),
      'svc',
    );
    expect(o).toEqual({
      kind: 'event',
      event: {
        ts: 1_763_553_600_000,
        service: 'svc',
        provider: 'openai',
        model: 'gpt-4o-2024-08-06',
        latency_ms: 750,
        input_tokens: 120,
        output_tokens: 30,
        status: 'ok',
      },
    });
  });

  it('falls back to gen_ai.system, the request model and the older token names', () => {
    const o = mapSpan(
      span({
        'gen_ai.system': 'gcp.gemini',
        'gen_ai.request.model': 'gemini-2.5-pro',
        'gen_ai.usage.prompt_tokens': 7,
        'gen_ai.usage.completion_tokens': 3,
      }),
      'svc',
    );
    expect(o.kind === 'event' && o.event).toMatchObject({
      provider: 'google',
      model: 'gemini-2.5-pro',
      input_tokens: 7,
      output_tokens: 3,
    });
  });

  it('turns span status 2 and error.type into an error event with the status message', () => {
    const o = mapSpan(
      span(
        { 'gen_ai.provider.name': 'anthropic', 'gen_ai.request.model': 'claude-sonnet-4', 'error.type': 'rate_limit' },
        { status: { code: 2, message: '429 slow down' } },
      ),
      'svc',
    );
    expect(o.kind === 'event' && o.event).toMatchObject({
      status: 'error',
      error_type: 'rate_limit',
      error_message: '429 slow down',
    });
    const byStatusOnly = mapSpan(
      span(
        { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o' },
        { status: { code: 'STATUS_CODE_ERROR' } },
      ),
      's',
    );
    expect(byStatusOnly.kind === 'event' && byStatusOnly.event.status).toBe('error');
  });

  it('reads the optional vigil.* attributes', () => {
    const o = mapSpan(
      span({
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'vigil.output_label': 'refusal',
        'vigil.retrieval_hit': false,
        'vigil.feedback': 'down',
      }),
      's',
    );
    expect(o.kind === 'event' && o.event).toMatchObject({
      output_label: 'refusal',
      retrieval_hit: false,
      feedback: 'down',
    });
  });

  it('ignores non-GenAI spans and tool/agent spans', () => {
    expect(mapSpan(span({ 'http.request.method': 'GET' }), 's')).toEqual({ kind: 'ignored' });
    expect(mapSpan(span({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.provider.name': 'openai' }), 's')).toEqual({
      kind: 'ignored',
    });
    expect(mapSpan(span({ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'gpt-4o' }), 's')).toEqual({
      kind: 'ignored',
    });
  });

  it('rejects GenAI model calls it cannot turn into an event, saying why', () => {
    const noModel = mapSpan(span({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai' }), 's');
    expect(noModel).toMatchObject({
      kind: 'rejected',
      reason: expect.stringContaining('gen_ai.request.model') as unknown,
    });
    const backwards = mapSpan(
      span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'm' }, { endTimeUnixNano: '5' }),
      's',
    );
    expect(backwards).toMatchObject({
      kind: 'rejected',
      reason: expect.stringContaining('endTimeUnixNano') as unknown,
    });
    const noStart = mapSpan(
      span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'm' }, { startTimeUnixNano: '0' }),
      's',
    );
    expect(noStart).toMatchObject({
      kind: 'rejected',
      reason: expect.stringContaining('startTimeUnixNano') as unknown,
    });
  });
});

describe('OTLP request parsing', () => {
  it('maps the JSON fixture: two GenAI spans, one ignored, int64 as string and number', () => {
    const m = mapTraceRequest(parseTraceRequest(Buffer.from(FIXTURE), 'json'), 100);
    expect(m.ignored).toBe(1);
    expect(m.rejected).toBe(0);
    expect(m.events).toHaveLength(2);
    expect(m.events[0]).toMatchObject({
      service: 'support-bot',
      model: 'gpt-4o-mini',
      input_tokens: 1200,
      output_tokens: 300,
      latency_ms: 1250,
    });
    expect(m.events[1]).toMatchObject({
      provider: 'anthropic',
      status: 'error',
      error_type: 'timeout',
      latency_ms: 30_000,
    });
    expect(traceResponse(m)).toEqual({
      partialSuccess: { rejectedSpans: 0, errorMessage: '1 non-GenAI span(s) ignored' },
    });
  });

  it('decodes protobuf to the same events as JSON', () => {
    const json = JSON.parse(FIXTURE) as unknown;
    const bytes = encodeTraceRequest(json);
    const fromProto = mapTraceRequest(parseTraceRequest(Buffer.from(bytes), 'protobuf'), 100);
    const fromJson = mapTraceRequest(parseTraceRequest(Buffer.from(FIXTURE), 'json'), 100);
    expect(fromProto.events).toEqual(fromJson.events);
    const decoded = decodeTraceRequest(bytes) as {
      resourceSpans: { scopeSpans: { spans: { traceId: string }[] }[] }[];
    };
    expect(decoded.resourceSpans[0]?.scopeSpans[0]?.spans[0]?.traceId).toBe('5b8efff798038103d269b633813fc60c');
  });

  it('encodes the protobuf response with partial success', () => {
    expect(decodeTraceResponse(encodeTraceResponse({ rejectedSpans: 2, errorMessage: 'x' }))).toEqual({
      partialSuccess: { rejectedSpans: '2', errorMessage: 'x' },
    });
    expect(decodeTraceResponse(encodeTraceResponse(undefined))).toEqual({});
  });

  it('rejects malformed bodies with 400 naming the field', () => {
    expect(thrown(() => parseTraceRequest(Buffer.from('{nope'), 'json'))).toMatchObject({
      status: 400,
      code: 'invalid_json',
    });
    expect(thrown(() => parseTraceRequest(Buffer.from('[]'), 'json'))).toMatchObject({ status: 400, field: '(root)' });
    const badSpans = thrown(() =>
      parseTraceRequest(Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":"x"}]}]}'), 'json'),
    );
    expect(badSpans).toMatchObject({ status: 400, field: 'resourceSpans[0].scopeSpans[0].spans' });
    const badTime = thrown(() =>
      parseTraceRequest(
        Buffer.from('{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}'),
        'json',
      ),
    );
    expect(badTime.field).toBe('resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano');
    const badAttr = thrown(() =>
      parseTraceRequest(Buffer.from('{"resourceSpans":[{"resource":{"attributes":[{"key":1}]}}]}'), 'json'),
    );
    expect(badAttr.field).toBe('resourceSpans[0].resource.attributes[0].key');
    expect(thrown(() => parseTraceRequest(Buffer.from([0x0a, 0xff, 0xff, 0xff]), 'protobuf'))).toMatchObject({
      status: 400,
      code: 'bad_request',
    });
  });

  it('caps spans per request and checks the content type', () => {
    expect(thrown(() => mapTraceRequest(parseTraceRequest(Buffer.from(FIXTURE), 'json'), 2))).toMatchObject({
      status: 413,
    });
    expect(otlpEncoding('application/json; charset=utf-8')).toBe('json');
    expect(otlpEncoding('application/x-protobuf')).toBe('protobuf');
    expect(thrown(() => otlpEncoding('text/plain'))).toMatchObject({ status: 415 });
    expect(thrown(() => otlpEncoding(undefined))).toMatchObject({ status: 415 });
  });
});

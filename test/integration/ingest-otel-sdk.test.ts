import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SpanStatusCode } from '@opentelemetry/api';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpHttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/**
 * A real OpenTelemetry JS SDK exporting GenAI spans to a running collector, once per OTLP/HTTP
 * encoding. Each run uses its own service name so the stored rows can be told apart.
 */
let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({ token: randomToken() });
});
afterAll(async () => {
  await c.stop();
});

interface Row {
  ts: number;
  service: string;
  provider: string;
  model: string;
  latency_ms: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  unpriced: number;
  status: string;
  error_type: string | null;
  error_message: string | null;
}

function rows(service: string): Row[] {
  const db = new Database(join(c.dataDir, 'collector.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT * FROM events WHERE service = ? ORDER BY ts').all(service) as Row[];
  } finally {
    db.close();
  }
}

async function stats(): Promise<{ events: number }> {
  const res = await fetch(`${c.url}/v1/stats`, { headers: { authorization: `Bearer ${c.token}` } });
  return (await res.json()) as { events: number };
}

async function emit(exporter: SpanExporter, service: string, t0: number): Promise<void> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('vigil-ingest-test');
  const ok = tracer.startSpan('chat gpt-4o', {
    startTime: t0,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 200,
    },
  });
  ok.end(t0 + 840);
  const failed = tracer.startSpan('chat claude-sonnet-4', {
    startTime: t0 + 1_000,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4',
      'error.type': 'overloaded_error',
    },
  });
  failed.setStatus({ code: SpanStatusCode.ERROR, message: '529 Overloaded' });
  failed.end(t0 + 3_500);
  const unknownModel = tracer.startSpan('chat mystery', {
    startTime: t0 + 4_000,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'acme',
      'gen_ai.request.model': 'acme-llm-9',
      'gen_ai.usage.input_tokens': 10,
    },
  });
  unknownModel.end(t0 + 4_100);
  const http = tracer.startSpan('GET /healthz', { startTime: t0, attributes: { 'http.request.method': 'GET' } });
  http.end(t0 + 5);
  await provider.forceFlush();
  await provider.shutdown();
}

const exporters: [string, (url: string, token: string) => SpanExporter][] = [
  [
    'json',
    (url, token) =>
      new OtlpHttpJsonExporter({ url: `${url}/v1/traces`, headers: { Authorization: `Bearer ${token}` } }),
  ],
  [
    'protobuf',
    (url, token) =>
      new OtlpHttpProtoExporter({ url: `${url}/v1/traces`, headers: { Authorization: `Bearer ${token}` } }),
  ],
];

describe('OpenTelemetry SDK → POST /v1/traces', () => {
  it.each(exporters)('stores GenAI spans exported as %s and ignores the rest', async (encoding, make) => {
    const service = `chat-api-${encoding}`;
    const t0 = Date.parse('2026-11-20T10:00:00Z');
    const before = (await stats()).events;
    await emit(make(c.url, c.token), service, t0);
    expect((await stats()).events - before).toBe(3);

    const [ok, failed, unknown] = rows(service);
    expect(ok).toMatchObject({
      ts: t0,
      provider: 'openai',
      model: 'gpt-4o-mini',
      input_tokens: 1000,
      output_tokens: 200,
      status: 'ok',
      unpriced: 0,
    });
    expect(ok?.latency_ms).toBeCloseTo(840, 3);
    // gpt-4o-mini: $0.15 in / $0.60 out per million tokens.
    expect(ok?.cost_usd).toBeCloseTo((1000 * 0.15 + 200 * 0.6) / 1e6, 12);
    expect(failed).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      status: 'error',
      error_type: 'overloaded_error',
      error_message: '529 Overloaded',
    });
    expect(failed?.latency_ms).toBeCloseTo(2_500, 3);
    // Not in the price table: stored, flagged, never priced as zero.
    expect(unknown).toMatchObject({ provider: 'acme', model: 'acme-llm-9', cost_usd: null, unpriced: 1 });
  });

  it('counts ignored spans, unpriced events and OTLP events in /metrics', async () => {
    const text = await (await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.token}` } })).text();
    expect(text).toContain('vigil_otlp_spans_total{outcome="ignored"} 2');
    expect(text).toContain('vigil_otlp_spans_total{outcome="mapped"} 6');
    expect(text).toContain('vigil_events_by_source_total{source="otlp"} 6');
    expect(text).toContain('vigil_events_unpriced_total 2');
  });

  it('answers OTLP-style: partial success in JSON, a protobuf google.rpc.Status on bad protobuf, 400 naming the field', async () => {
    const post = (body: string | Uint8Array<ArrayBuffer>, type: string): Promise<Response> =>
      fetch(`${c.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': type, authorization: `Bearer ${c.token}` },
        body,
      });
    const noModel = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  name: 'chat',
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '2',
                  attributes: [{ key: 'gen_ai.operation.name', value: { stringValue: 'chat' } }],
                },
              ],
            },
          ],
        },
      ],
    });
    const partial = await post(noModel, 'application/json');
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({
      partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining('gen_ai.request.model') as unknown },
    });

    const bad = await post(
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{"endTimeUnixNano":true}]}]}]}',
      'application/json',
    );
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'invalid_field', field: 'resourceSpans[0].scopeSpans[0].spans[0].endTimeUnixNano' },
    });

    const badProto = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff]), 'application/x-protobuf');
    expect(badProto.status).toBe(400);
    expect(badProto.headers.get('content-type')).toBe('application/x-protobuf');

    const wrongType = await post('{}', 'text/plain');
    expect(wrongType.status).toBe(415);
    const noAuth = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noAuth.status).toBe(401);
    const empty = await post('{}', 'application/json');
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({});
  });
});

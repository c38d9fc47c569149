import protobuf from 'protobufjs/light.js';

/**
 * The slice of opentelemetry-proto that `POST /v1/traces` needs, as a protobufjs JSON
 * descriptor (field numbers and wire types from opentelemetry/proto/{collector/trace,trace,
 * common,resource}/v1/*.proto and google/rpc/status.proto). Span events and links are not
 * declared: protobufjs skips unknown fields, which is exactly what we want for them. Enums are
 * declared as int32 (same wire type) so unknown future values decode instead of failing.
 * Field names are the lowerCamelCase of OTLP/JSON, so decoded messages have the JSON shape.
 */
const DESCRIPTOR = {
  nested: {
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
    ResourceSpans: {
      fields: {
        resource: { type: 'Resource', id: 1 },
        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    Resource: {
      fields: {
        attributes: { rule: 'repeated', type: 'KeyValue', id: 1 },
        droppedAttributesCount: { type: 'uint32', id: 2 },
      },
    },
    ScopeSpans: {
      fields: {
        scope: { type: 'InstrumentationScope', id: 1 },
        spans: { rule: 'repeated', type: 'Span', id: 2 },
        schemaUrl: { type: 'string', id: 3 },
      },
    },
    InstrumentationScope: {
      fields: {
        name: { type: 'string', id: 1 },
        version: { type: 'string', id: 2 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 3 },
        droppedAttributesCount: { type: 'uint32', id: 4 },
      },
    },
    Span: {
      fields: {
        traceId: { type: 'bytes', id: 1 },
        spanId: { type: 'bytes', id: 2 },
        traceState: { type: 'string', id: 3 },
        parentSpanId: { type: 'bytes', id: 4 },
        flags: { type: 'fixed32', id: 16 },
        name: { type: 'string', id: 5 },
        kind: { type: 'int32', id: 6 },
        startTimeUnixNano: { type: 'fixed64', id: 7 },
        endTimeUnixNano: { type: 'fixed64', id: 8 },
        attributes: { rule: 'repeated', type: 'KeyValue', id: 9 },
        droppedAttributesCount: { type: 'uint32', id: 10 },
        droppedEventsCount: { type: 'uint32', id: 12 },
        droppedLinksCount: { type: 'uint32', id: 14 },
        status: { type: 'Status', id: 15 },
      },
    },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    AnyValue: {
      oneofs: {
        value: {
          oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'],
        },
      },
      fields: {
        stringValue: { type: 'string', id: 1 },
        boolValue: { type: 'bool', id: 2 },
        intValue: { type: 'int64', id: 3 },
        doubleValue: { type: 'double', id: 4 },
        arrayValue: { type: 'ArrayValue', id: 5 },
        kvlistValue: { type: 'KeyValueList', id: 6 },
        bytesValue: { type: 'bytes', id: 7 },
      },
    },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
    ExportTracePartialSuccess: {
      fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
    },
    /** google.rpc.Status, the body OTLP/HTTP asks for on 4xx/5xx answers to protobuf requests. */
    RpcStatus: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } },
  },
};

const root = protobuf.Root.fromJSON(DESCRIPTOR);
const RequestType = root.lookupType('ExportTraceServiceRequest');
const ResponseType = root.lookupType('ExportTraceServiceResponse');
const RpcStatusType = root.lookupType('RpcStatus');

/** google.rpc.Code INVALID_ARGUMENT. */
export const RPC_INVALID_ARGUMENT = 3;

function base64ToHex(b64: unknown): unknown {
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64').toString('hex') : b64;
}

/**
 * Decodes an ExportTraceServiceRequest into the OTLP/JSON object shape (ids as hex), ready for
 * the same zod validation as JSON bodies. int64 become JS numbers, not strings: converting Long
 * to decimal strings doubled decode time, and nanosecond times only lose sub-microsecond digits.
 * Throws on bytes that are not a valid message.
 */
export function decodeTraceRequest(bytes: Uint8Array): unknown {
  const msg = RequestType.decode(bytes);
  const obj = RequestType.toObject(msg, { longs: Number, bytes: String, arrays: false, defaults: false }) as {
    resourceSpans?: { scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
  };
  for (const rs of obj.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const k of ['traceId', 'spanId', 'parentSpanId']) if (k in span) span[k] = base64ToHex(span[k]);
      }
    }
  }
  return obj;
}

export function encodeTraceResponse(partial: { rejectedSpans: number; errorMessage: string } | undefined): Uint8Array {
  const body = partial
    ? { partialSuccess: { rejectedSpans: partial.rejectedSpans, errorMessage: partial.errorMessage } }
    : {};
  return ResponseType.encode(ResponseType.fromObject(body)).finish();
}

export function encodeRpcStatus(code: number, message: string): Uint8Array {
  return RpcStatusType.encode(RpcStatusType.fromObject({ code, message })).finish();
}

/** For tests and tools: encodes an OTLP/JSON-shaped request (ids as hex) as protobuf. */
export function encodeTraceRequest(json: unknown): Uint8Array {
  const copy = structuredClone(json) as { resourceSpans?: { scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] };
  for (const rs of copy.resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const span of ss.spans ?? []) {
        for (const k of ['traceId', 'spanId', 'parentSpanId']) {
          const v = span[k];
          if (typeof v === 'string') span[k] = Buffer.from(v, 'hex');
        }
      }
    }
  }
  return RequestType.encode(RequestType.fromObject(copy)).finish();
}

export function decodeTraceResponse(bytes: Uint8Array): {
  partialSuccess?: { rejectedSpans?: string; errorMessage?: string };
} {
  return ResponseType.toObject(ResponseType.decode(bytes), { longs: String }) as {
    partialSuccess?: { rejectedSpans?: string; errorMessage?: string };
  };
}

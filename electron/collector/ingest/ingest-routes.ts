import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertmanagerIntake } from '../integrations/alertmanager.js';
import type { EventsV2Intake } from '../integrations/events-v2.js';
import { acceptEvals } from '../evals/eval-intake.js';
import type { EvalRecorder } from '../evals/eval-recorder.js';
import { HttpError } from '../http/http-error.js';
import { readBody } from '../http/read-body.js';
import type { Metrics } from '../metrics.js';
import type { IngestPipeline } from './ingest-pipeline.js';
import { encodeRpcStatus, encodeTraceResponse, RPC_INVALID_ARGUMENT } from './otlp/trace-proto.js';
import { mapTraceRequest, otlpEncoding, parseTraceRequest, traceResponse } from './otlp/traces.js';
import { readBytes } from './read-bytes.js';

export const EVENTS_V2_PATH = '/v1/integrations/events-v2';

/** PagerDuty caps an event at 512 KB; the route may be reached without a token, so it reads no more. */
const EVENTS_V2_MAX_BYTES = 512 * 1024;

export interface IngestRoutes {
  ingest: IngestPipeline;
  metrics: Metrics;
  evals: EvalRecorder;
  alertmanager: AlertmanagerIntake;
  eventsV2: EventsV2Intake;
  maxBodyBytes: number;
  maxBatchEvents: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendProto(res: ServerResponse, status: number, bytes: Uint8Array): void {
  res.writeHead(status, { 'content-type': 'application/x-protobuf', 'content-length': bytes.byteLength });
  res.end(bytes);
}

/**
 * The issue-4 ingest routes: OTLP traces, evals, Alertmanager and Events-v2 webhooks. Returns
 * false for any other route. `bearerOk` is false only for Events-v2 requests without the token,
 * which then authenticate by routing_key (see IntegrationsConfig).
 */
export async function routeIngest(
  req: IncomingMessage,
  res: ServerResponse,
  d: IngestRoutes,
  bearerOk: boolean,
): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://collector').pathname;
  if (req.method !== 'POST') return false;
  switch (path) {
    case '/v1/traces':
      await traces(req, res, d);
      return true;
    case '/v1/evals': {
      const text = await readBody(req, d.maxBodyBytes);
      sendJson(res, 200, acceptEvals(text, d.maxBatchEvents, d.evals, d.ingest.eventTime));
      return true;
    }
    case '/v1/integrations/alertmanager': {
      const text = await readBody(req, d.maxBodyBytes);
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (err) {
        throw new HttpError(400, 'invalid_json', `malformed JSON: ${(err as Error).message}`);
      }
      sendJson(res, 200, d.alertmanager.handle(raw));
      return true;
    }
    case EVENTS_V2_PATH: {
      const text = await readBody(req, Math.min(d.maxBodyBytes, EVENTS_V2_MAX_BYTES));
      const answer = d.eventsV2.handle(text, bearerOk);
      if (answer.status === 400) d.metrics.reject('invalid_field');
      sendJson(res, answer.status, answer.body);
      return true;
    }
    default:
      return false;
  }
}

/**
 * OTLP/HTTP: JSON answers errors as `{error:{code,message,field}}` like every Vigil route;
 * protobuf requests get a protobuf google.rpc.Status on 400 (what OTLP exporters decode).
 * 401/413/415 stay JSON for both (the exporter only needs the status code to decide on retry).
 */
async function traces(req: IncomingMessage, res: ServerResponse, d: IngestRoutes): Promise<void> {
  const encoding = otlpEncoding(req.headers['content-type']);
  const body = await readBytes(req, d.maxBodyBytes);
  let mapped;
  try {
    mapped = mapTraceRequest(parseTraceRequest(body, encoding), d.maxBatchEvents, d.ingest.eventTime);
  } catch (err) {
    if (encoding === 'protobuf' && err instanceof HttpError && err.status === 400) {
      d.metrics.reject(err.code);
      return sendProto(res, 400, encodeRpcStatus(RPC_INVALID_ARGUMENT, err.message));
    }
    throw err;
  }
  const accepted = d.ingest.ingest(mapped.events);
  const spans = d.metrics.ingest.spans;
  spans.inc({ outcome: 'mapped' }, accepted);
  spans.inc({ outcome: 'ignored' }, mapped.ignored);
  spans.inc({ outcome: 'rejected' }, mapped.rejected);
  if (accepted > 0) d.metrics.ingest.eventsBySource.inc({ source: 'otlp' }, accepted);
  const answer = traceResponse(mapped);
  if (encoding === 'protobuf') return sendProto(res, 200, encodeTraceResponse(answer.partialSuccess));
  sendJson(res, 200, answer);
}

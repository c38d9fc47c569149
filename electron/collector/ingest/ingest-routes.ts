import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertmanagerIntake } from '../integrations/alertmanager.js';
import type { EventsV2Intake } from '../integrations/events-v2.js';
import { acceptEvals } from '../evals/eval-intake.js';
import type { EvalRecorder } from '../evals/eval-recorder.js';
import { addressKey, type BodyBudget } from '../http/body-budget.js';
import { HttpError } from '../http/http-error.js';
import { collectBody, decodeUtf8, readBody } from '../http/read-body.js';
import type { Metrics } from '../metrics.js';
import type { IngestPipeline } from './ingest-pipeline.js';
import { encodeRpcStatus, encodeTraceResponse, RPC_INVALID_ARGUMENT } from './otlp/trace-proto.js';
import { mapTraceRequest, otlpEncoding, parseTraceRequest, traceResponse } from './otlp/traces.js';
import { EVENTS_V2_MAX_BYTES } from '../../../shared/protocol/events-v2.js';
import { readBytes } from './read-bytes.js';

export const EVENTS_V2_PATH = '/v1/integrations/events-v2';

/** Bodies read before the sender is known (Events-v2 by routing_key): config `server.unauthenticatedBody*`. */
export interface UnauthenticatedBodies {
  /** Shared by all such requests at once; over it the answer is 503. */
  budget: BodyBudget;
  /** Each such body must arrive within this long, or 408. */
  timeoutMs: number;
}

export interface IngestRoutes {
  ingest: IngestPipeline;
  metrics: Metrics;
  evals: EvalRecorder;
  alertmanager: AlertmanagerIntake;
  eventsV2: EventsV2Intake;
  maxBodyBytes: number;
  maxBatchEvents: number;
  unauthenticated: UnauthenticatedBodies;
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
 * false for any other route. `path` is the request's path as `routes.ts` parsed it (once,
 * guarded). `bearerOk` is false only for Events-v2 requests without the token, which then
 * authenticate by routing_key (see IntegrationsConfig).
 */
export async function routeIngest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  d: IngestRoutes,
  bearerOk: boolean,
): Promise<boolean> {
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
      const text = bearerOk
        ? await readBody(req, Math.min(d.maxBodyBytes, EVENTS_V2_MAX_BYTES))
        : await readUnauthenticated(req, Math.min(d.maxBodyBytes, EVENTS_V2_MAX_BYTES), d);
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
 * An Events-v2 body whose sender is known only once its routing_key is read: it is held against
 * the shared budget as it arrives (by what was received, not what was announced, and at most a
 * share of it per remote host) and must arrive within the short deadline. A declared length
 * that does not fit now is refused at once, before anything is read. What the body says is only
 * revealed to a sender with a valid key, so a body that is not UTF-8 is 401 here.
 */
async function readUnauthenticated(req: IncomingMessage, maxBytes: number, d: IngestRoutes): Promise<string> {
  const { budget, timeoutMs } = d.unauthenticated;
  const declared = Number(req.headers['content-length']);
  const expected = Number.isFinite(declared) && declared >= 0 ? declared : 0;
  if (expected > maxBytes) return readBody(req, maxBytes); // 413 before anything is read
  const overBudget = (): HttpError =>
    new HttpError(
      503,
      'unavailable',
      'too many request bodies without a bearer token in flight; retry shortly',
      undefined,
      { 'retry-after': String(Math.max(1, Math.ceil(timeoutMs / 1000))) },
    );
  const account = budget.open(addressKey(req.socket.remoteAddress), expected);
  if (!account) throw overBudget();
  let body: Buffer;
  try {
    body = await collectBody(req, maxBytes, { deadlineMs: timeoutMs, budget: { account, overBudget } });
  } finally {
    account.release();
  }
  try {
    return decodeUtf8(body);
  } catch {
    throw d.eventsV2.unauthorized();
  }
}

/**
 * OTLP/HTTP: JSON answers errors as `{error:{code,message,field}}` like every Vigil route;
 * protobuf requests get a protobuf google.rpc.Status on 400 (what OTLP exporters decode).
 * 401/413/415 stay JSON for both (the exporter only needs the status code to decide on retry).
 */
async function traces(req: IncomingMessage, res: ServerResponse, d: IngestRoutes): Promise<void> {
  const encoding = otlpEncoding(req.headers['content-type']);
  const body = await readBytes(req, d.maxBodyBytes, { utf8: encoding === 'json' });
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

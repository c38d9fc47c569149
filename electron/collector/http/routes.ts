import type { IncomingMessage, ServerResponse } from 'node:http';
import { AlertStatus } from '../../../shared/protocol/alert.js';
import type { IngestPipeline } from '../ingest/ingest-pipeline.js';
import { EVENTS_V2_PATH, routeIngest, type IngestRoutes } from '../ingest/ingest-routes.js';
import { bodyFormat, parseEvents } from '../ingest/parse-events.js';
import type { Metrics } from '../metrics.js';
import type { GenAiMetrics } from '../export/genai-metrics.js';
import { handleRollups, handleSeries, handleSeriesFromPrometheus, seriesSourceInfo } from '../series/series-routes.js';
import type { PrometheusSeries } from '../series/prometheus-series.js';
import type { SeriesStore } from '../store/series-store.js';
import type { ChartRules } from '../../../shared/protocol/series.js';
import type { CollectorStore } from '../store/store.js';
import { presentedToken, type Authenticator } from './auth.js';
import { HttpError } from './http-error.js';
import { readBody } from './read-body.js';
import { badTarget, parseTarget } from './request-target.js';
import { answeredByServer } from './server.js';
import { logSafe } from '../../../shared/text/log-safe.js';
import type { RunbookLibrary } from '../runbooks/runbook-library.js';
import { isRunbookPath, routeRunbooks } from '../runbooks/runbook-routes.js';
import { handleRotation, handleRotationIcs, type RotationService } from '../rotation/index.js';
import { handleIncidents, handleSilences } from '../incidents/incident-routes.js';
import type { IncidentService } from '../incidents/incident-service.js';
import type { HealthService } from '../health/health-service.js';
import { handlePostmortems, handleReviewMarks, type PostmortemService } from '../postmortems/index.js';

export interface RouteDeps {
  /** Team runbooks (issue 7); without it /v1/runbooks answers 404. */
  runbooks?: RunbookLibrary;
  /** The shared token and per-person tokens (config `users`). */
  auth: Authenticator;
  store: CollectorStore;
  ingest: IngestPipeline;
  metrics: Metrics;
  maxBodyBytes: number;
  maxBatchEvents: number;
  log: (msg: string) => void;
  /** OTLP traces, evals, Alertmanager and Events-v2 (issue 4); absent = those routes 404. */
  ingestRoutes?: IngestRoutes;
  /** Read-only chart queries (`GET /v1/series`, `GET /v1/rollups`); absent = those routes 404. */
  series?: SeriesStore;
  /** The configured rule thresholds the charts draw (issue 14); sent with series answers and rollup pages. */
  chartRules?: ChartRules;
  /** The on-call rotation (`GET /v1/rotation`); absent = that route 404s. */
  rotation?: RotationService;
  /** Incidents and silences (`GET /v1/incidents`, `GET /v1/silences`); absent = those routes 404. */
  incidents?: Pick<IncidentService, 'silences'>;
  /** OTel GenAI metrics (`GET /metrics/genai`, issue 17); absent (`prometheus.metrics.enabled: false`) = 404. */
  genai?: GenAiMetrics;
  /** On-call health (`GET /v1/health`, issue 15); absent = that route 404s. */
  health?: Pick<HealthService, 'answer'>;
  /** `series.source.kind: prometheus` (issue 17): `GET /v1/series` reads from there instead of `series`. */
  promSeries?: PrometheusSeries;
  /** Postmortems and review marks (issue 15); absent = those routes 404. */
  postmortems?: PostmortemService;
}

/** After a 413 we keep discarding (not buffering) the upload so the client can read the answer, up to this much. */
const DRAIN_LIMIT_FACTOR = 4;

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/**
 * Who sent the request, decided from its headers alone, before any of its body is read: the
 * bearer token, or (Events-v2 only, and only when routing keys are configured) a routing_key the
 * route will find in the body, read within a shared budget and a short deadline. Anything else
 * is 401 at once. The one place the token is checked.
 */
function authenticate(deps: RouteDeps, req: IncomingMessage, url: URL, method: string): 'bearer' | 'routing-key' {
  // The shared token does everything; a person's own token reads what a desktop reads (GET).
  if (deps.auth.mayRequest(deps.auth.identify(presentedToken(req, url, false)), method)) return 'bearer';
  if (
    method === 'POST' &&
    url.pathname === EVENTS_V2_PATH &&
    deps.ingestRoutes !== undefined &&
    deps.ingestRoutes.eventsV2.acceptsRoutingKeys
  ) {
    return 'routing-key';
  }
  throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token (Authorization: Bearer <token>)');
}

/** What the error path needs to know about the request being answered. */
interface Caller {
  /** Known by its bearer token; anyone else is a stranger whose unread body is never read. */
  bearer: boolean;
}

/** The HTTP request handler. Never throws: every failure becomes a JSON error response. */
export function createHandler(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    target: URL | undefined,
    caller: Caller,
  ): Promise<void> => {
    if (target === undefined) throw badTarget();
    const url = target;
    const method = req.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/healthz') return send(res, 200, { ok: true });
    const bearerOk = authenticate(deps, req, url, method) === 'bearer';
    caller.bearer = bearerOk; // the error path treats anyone else as a stranger
    if (isRunbookPath(url.pathname)) return send(res, 200, routeRunbooks(deps.runbooks, method, url.pathname));
    if (deps.ingestRoutes && (await routeIngest(req, res, url.pathname, deps.ingestRoutes, bearerOk))) return;
    const key = `${method} ${url.pathname}`;
    switch (key) {
      case 'POST /v1/events': {
        const format = bodyFormat(req.headers['content-type']);
        const text = await readBody(req, deps.maxBodyBytes);
        const events = parseEvents(text, format, deps.maxBatchEvents);
        const accepted = deps.ingest.ingest(events);
        if (accepted > 0) deps.metrics.ingest.eventsBySource.inc({ source: 'events' }, accepted);
        return send(res, 200, { accepted });
      }
      case 'GET /v1/alerts': {
        const raw = url.searchParams.get('status');
        let status: AlertStatus | undefined;
        if (raw !== null) {
          const r = AlertStatus.safeParse(raw);
          if (!r.success)
            throw new HttpError(
              400,
              'invalid_field',
              `status must be one of ${AlertStatus.options.join(', ')}`,
              'status',
            );
          status = r.data;
        }
        return send(res, 200, { alerts: deps.store.listAlerts(status) });
      }
      case 'GET /v1/series':
        if (deps.promSeries) return send(res, 200, await handleSeriesFromPrometheus(deps.promSeries, url.searchParams));
        if (!deps.series) throw new HttpError(404, 'not_found', 'chart queries are not enabled');
        return send(res, 200, handleSeries(deps.series, url.searchParams, deps.chartRules));
      case 'GET /v1/series/source':
        return send(res, 200, seriesSourceInfo(deps.promSeries));
      case 'GET /v1/rollups':
        if (!deps.series) throw new HttpError(404, 'not_found', 'chart queries are not enabled');
        return send(res, 200, handleRollups(deps.series, url.searchParams, deps.chartRules));
      case 'GET /v1/rotation':
        if (!deps.rotation) throw new HttpError(404, 'not_found', 'the rotation is not enabled');
        return send(res, 200, handleRotation(deps.rotation, url.searchParams));
      case 'GET /v1/rotation.ics':
        if (!deps.rotation) throw new HttpError(404, 'not_found', 'the rotation is not enabled');
        return send(res, 200, handleRotationIcs(deps.rotation, url.searchParams), 'text/calendar; charset=utf-8');
      case 'GET /v1/incidents':
        if (!deps.incidents) throw new HttpError(404, 'not_found', 'incidents are not enabled');
        return send(res, 200, handleIncidents(deps.store.incidents, url.searchParams));
      case 'GET /v1/silences':
        if (!deps.incidents) throw new HttpError(404, 'not_found', 'incidents are not enabled');
        return send(res, 200, handleSilences(deps.incidents));
      case 'GET /v1/health':
        if (!deps.health) throw new HttpError(404, 'not_found', 'health is not enabled');
        return send(res, 200, deps.health.answer(url.searchParams));
      case 'GET /v1/postmortems':
        if (!deps.postmortems) throw new HttpError(404, 'not_found', 'postmortems are not enabled');
        return send(res, 200, handlePostmortems(deps.postmortems, url.searchParams));
      case 'GET /v1/review/marks':
        if (!deps.postmortems) throw new HttpError(404, 'not_found', 'postmortems are not enabled');
        return send(res, 200, handleReviewMarks(deps.postmortems, url.searchParams));
      case 'GET /v1/stats':
        return send(res, 200, deps.store.stats());
      case 'GET /metrics':
        return send(res, 200, deps.metrics.render(), 'text/plain; version=0.0.4');
      case 'GET /metrics/genai':
        if (!deps.genai)
          throw new HttpError(404, 'not_found', 'GenAI metrics are disabled (prometheus.metrics.enabled)');
        return send(res, 200, deps.genai.render(), 'text/plain; version=0.0.4');
      default:
        throw new HttpError(404, 'not_found', `no route ${method} ${url.pathname}`);
    }
  };

  return (req, res) => {
    // Parsed once, guarded: node accepts targets (`GET //`) that `new URL` throws on.
    const target = parseTarget(req.url);
    const method = req.method ?? 'GET';
    const caller: Caller = { bearer: false };
    res.once('finish', () => {
      deps.metrics.ingest.request(method, target?.pathname ?? '', res.statusCode);
      // A stranger's body still arriving after the answer (e.g. GET /healthz with a slow body)
      // would otherwise be drained for as long as server.requestTimeout allows.
      if (!req.complete && !caller.bearer) req.socket.destroy();
    });
    route(req, res, target, caller).catch((err: unknown) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', 'internal error');
      if (!(err instanceof HttpError))
        deps.log(`request ${logSafe(method)} ${logSafe(req.url ?? '')} failed: ${(err as Error).stack ?? String(err)}`);
      if (req.socket.destroyed) {
        // The connection is gone: nobody to answer, and no request to count as the route's error.
        // When node's request timer cut it off, node already answered 408 (see server.ts).
        if (answeredByServer(req.socket)) {
          deps.metrics.reject('request_timeout');
          deps.metrics.ingest.request(method, target?.pathname ?? '', 408);
        }
        return;
      }
      deps.metrics.reject(e.code);
      if (res.headersSent) return void res.destroy();
      for (const [name, value] of Object.entries(e.headers)) res.setHeader(name, value);
      if (!req.complete && !caller.bearer) {
        // Answered before the body was read to a sender not known by its token (401, 408, 413,
        // 503): read none of the rest, not even to discard it (node would drain it), and drop
        // the connection as soon as the answer is written (the 'finish' listener above).
        res.setHeader('connection', 'close');
      } else if (e.status === 413 && !req.complete) {
        // Answer now, stop buffering, drain what is in flight (bounded, discarded) so the
        // sender can read the answer, then drop the connection.
        res.setHeader('connection', 'close');
        let drained = 0;
        req.on('data', (c: Buffer) => {
          drained += c.length;
          if (drained > deps.maxBodyBytes * DRAIN_LIMIT_FACTOR) req.destroy();
        });
        req.resume();
      }
      send(res, e.status, e.body());
    });
  };
}

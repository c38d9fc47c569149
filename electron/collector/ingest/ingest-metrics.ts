import { isIncidentEntry, type StreamEntry } from '../store/store.js';

/** Escapes a Prometheus label value (text exposition format 0.0.4). */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** A counter family with labels; keys are the label values joined in a stable order. */
export class LabeledCounter {
  private readonly values = new Map<string, { labels: Record<string, string>; n: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Record<string, string>, by = 1): void {
    const key = JSON.stringify(Object.entries(labels).sort());
    const cur = this.values.get(key);
    if (cur) cur.n += by;
    else this.values.set(key, { labels, n: by });
  }

  get(labels: Record<string, string>): number {
    return this.values.get(JSON.stringify(Object.entries(labels).sort()))?.n ?? 0;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    const rows = [...this.values.values()].map(({ labels, n }) => {
      const l = Object.entries(labels)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => `${k}="${escapeLabelValue(v)}"`)
        .join(',');
      return `${this.name}{${l}} ${n}`;
    });
    return [...lines, ...rows.sort()];
  }
}

/** Routes with their own label; anything else (404s for random paths) is "other", so the label set stays bounded. */
const KNOWN_ROUTES = new Set([
  'GET /healthz',
  'POST /v1/events',
  'POST /v1/traces',
  'POST /v1/evals',
  'POST /v1/integrations/alertmanager',
  'POST /v1/integrations/events-v2',
  'GET /v1/alerts',
  'GET /v1/incidents',
  'GET /v1/silences',
  'GET /v1/series',
  'GET /v1/series/source',
  'GET /v1/rollups',
  'GET /v1/runbooks',
  'GET /v1/stats',
  'GET /v1/stream',
  'GET /metrics',
]);

/**
 * The ingest side's counters for GET /metrics: requests per route and code, events by ingest
 * source, OTLP spans ignored/rejected, eval runs by outcome, alerts fired by source and tier.
 */
export class IngestMetrics {
  readonly requests = new LabeledCounter(
    'vigil_http_requests_total',
    'HTTP requests answered, by route and status code.',
  );
  readonly eventsBySource = new LabeledCounter(
    'vigil_events_by_source_total',
    'LLM events committed, by ingest source (events, otlp).',
  );
  readonly spans = new LabeledCounter(
    'vigil_otlp_spans_total',
    'OTLP spans received, by outcome (mapped, ignored = not GenAI, rejected).',
  );
  readonly evalRuns = new LabeledCounter(
    'vigil_eval_runs_total',
    'Eval runs, by origin (http, scheduler) and outcome (ok, failed, timeout, invalid_output).',
  );
  readonly alerts = new LabeledCounter('vigil_alerts_by_source_total', 'Alerts opened, by source and tier.');
  readonly integrationEvents = new LabeledCounter(
    'vigil_integration_events_total',
    'Webhook alerts/events received, by integration and action.',
  );

  request(method: string, path: string, status: number): void {
    const route = KNOWN_ROUTES.has(`${method} ${path}`) ? `${method} ${path}` : 'other';
    this.requests.inc({ route, code: String(status) });
  }

  /** Fed from AlertService.onCommitted: counts `fired` entries whatever their origin. */
  alertEntries(entries: readonly StreamEntry[]): void {
    for (const e of entries) {
      if (e.kind === 'fired' && !isIncidentEntry(e)) this.alerts.inc({ source: e.alert.source, tier: e.alert.tier });
    }
  }

  render(): string[] {
    return [this.requests, this.eventsBySource, this.spans, this.evalRuns, this.alerts, this.integrationEvents].flatMap(
      (c) => c.render(),
    );
  }
}

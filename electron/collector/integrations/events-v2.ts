import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../../shared/clock.js';
import type { AlertLabels, Tier } from '../../../shared/protocol/alert.js';
import { TRUNCATION_MARKER, truncateText } from '../../../shared/protocol/bounded-text.js';
import {
  EV2_MAX_CUSTOM_DETAILS,
  EventsV2Event,
  type EventsV2Accepted,
  type EventsV2Invalid,
  type EventsV2Severity,
} from '../../../shared/protocol/events-v2.js';
import type { AlertService } from '../alerts/alert-service.js';
import { HttpError } from '../http/http-error.js';
import type { IngestMetrics } from '../ingest/ingest-metrics.js';
import type { CollectorStore } from '../store/store.js';

const SEVERITY_TIERS: Record<EventsV2Severity, Tier> = {
  critical: 'page',
  error: 'page',
  warning: 'ticket',
  info: 'review',
};

/** The actor recorded when a sender acknowledges through the API. */
export const EVENTS_V2_ACTOR = 'events-v2';

/**
 * `custom_details` as JSON text, cut to its bound with the marker. Any JSON value may arrive, so
 * nesting too deep for JSON.stringify (a 512 KB body can nest 250,000 levels) is cut too rather
 * than failing the request and losing the page.
 */
function detailsText(details: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(details) ?? '';
  } catch {
    return `${TRUNCATION_MARKER} (custom_details nested too deeply)`;
  }
  return truncateText(text, EV2_MAX_CUSTOM_DETAILS);
}

export interface EventsV2Deps {
  store: CollectorStore;
  alerts: AlertService;
  clock: Clock;
  metrics: IngestMetrics;
  /** `integrations.eventsV2.routingKeys`: a body carrying one of these needs no bearer token. */
  routingKeys: readonly string[];
}

export type EventsV2Answer = { status: 202; body: EventsV2Accepted } | { status: 400; body: EventsV2Invalid };

function invalid(errors: string[]): EventsV2Answer {
  return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors } };
}

function sameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * PagerDuty Events API v2 semantics: `trigger` opens an alert per dedup_key (generated and
 * returned when absent; a second trigger while open is deduplicated), `acknowledge` acks it as
 * `events-v2`, `resolve` resolves it. ack/resolve of an unknown key is accepted and does
 * nothing, as PagerDuty does.
 */
export class EventsV2Intake {
  constructor(private readonly deps: EventsV2Deps) {}

  /** `bearerOk`: the request carried the collector token; otherwise the routing_key must be a configured one. */
  handle(text: string, bearerOk: boolean): EventsV2Answer {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      if (!bearerOk) throw this.unauthorized();
      return invalid([`body: malformed JSON: ${(err as Error).message}`]);
    }
    if (!bearerOk) {
      const key = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).routing_key : undefined;
      if (typeof key !== 'string' || !this.deps.routingKeys.some((k) => sameKey(k, key))) throw this.unauthorized();
    }
    const r = EventsV2Event.safeParse(raw);
    if (!r.success) {
      return invalid(
        r.error.issues.map(
          (i) => `${i.path.map(String).join('.') || 'body'}: ${i.message.replace(/^Invalid input: /, '')}`,
        ),
      );
    }
    const e = r.data;
    const { store, alerts, clock, metrics } = this.deps;
    metrics.integrationEvents.inc({ integration: 'events-v2', action: e.event_action });
    const dedupKey = e.dedup_key ?? randomUUID().replace(/-/g, '');
    alerts.transact(() => {
      const now = clock.now();
      const id = store.integrationKeys.integrationAlertId('events-v2', dedupKey);
      const alert = id !== undefined ? store.getAlert(id) : undefined;
      const open = alert && alert.status !== 'resolved' ? alert : undefined;
      if (e.event_action === 'trigger') {
        if (open || !e.payload) return;
        const p = e.payload;
        const ts = p.timestamp !== undefined ? Date.parse(p.timestamp) : NaN;
        const fired = alerts.fire({
          ruleId: `ev2:${p.class ?? p.component ?? p.source}`,
          tier: SEVERITY_TIERS[p.severity],
          source: 'events-v2',
          summary: p.summary,
          labels: this.labels(e, dedupKey),
          firedAt: Number.isFinite(ts) && ts > 0 ? ts : now,
        });
        store.integrationKeys.putIntegrationKey('events-v2', dedupKey, fired.id, now);
      } else if (e.event_action === 'acknowledge') {
        if (!open || open.status === 'acknowledged') return;
        alerts.command(
          { type: 'command', id: `events-v2:${randomUUID()}`, kind: 'ack', alertId: open.id },
          EVENTS_V2_ACTOR,
        );
      } else if (open) {
        // An explicit resolve by the sender, like a person's (not a rule's condition clearing).
        alerts.command(
          { type: 'command', id: `events-v2:${randomUUID()}`, kind: 'resolve', alertId: open.id },
          EVENTS_V2_ACTOR,
        );
      }
    });
    return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: dedupKey } };
  }

  private labels(e: EventsV2Event, dedupKey: string): AlertLabels {
    const p = e.payload;
    const labels: AlertLabels = { dedup_key: dedupKey };
    if (!p) return labels;
    labels.severity = p.severity;
    labels.source = p.source;
    if (p.component) labels.component = p.component;
    if (p.group) labels.group = p.group;
    if (p.class) labels.class = p.class;
    if (e.client) labels.client = e.client;
    if (e.client_url) labels.client_url = e.client_url;
    const link = e.links?.[0]?.href;
    if (link) labels.link = link;
    if (p.custom_details !== undefined) labels.custom_details = detailsText(p.custom_details);
    return labels;
  }

  /** Whether any routing key is configured: without one, every request needs the bearer token. */
  get acceptsRoutingKeys(): boolean {
    return this.deps.routingKeys.length > 0;
  }

  /** The answer to a request without the token whose routing_key is not a configured one. */
  unauthorized(): HttpError {
    return new HttpError(
      401,
      'unauthorized',
      'missing or wrong bearer token, and routing_key is not a configured integration key',
    );
  }
}

import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
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
import type { Alert } from '../../../shared/protocol/alert.js';
import type { AlertService } from '../alerts/alert-service.js';
import { HttpError } from '../http/http-error.js';
import { EventTimeGuard } from '../ingest/event-time.js';
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
 * Label naming who triggered an alert: `token` (the bearer token) or `routing_key:<hash>`.
 * Alerts without it were triggered before routing keys were scoped (see `find`).
 */
export const EV2_SENDER_LABEL = 'events_v2_sender';
/** Hex digits of sha256(routing_key) that scope a keyed sender's dedup keys (64 bits: no practical collision among configured keys). */
const ROUTING_KEY_HASH_HEX = 16;

/** Who sent an event: its dedup keys live in their own namespace unless it is the token holder. */
interface Sender {
  /** Prefix of the stored integration key; '' for the bearer token (stable since before scoping). */
  scope: string;
  label: string;
}

const TOKEN_SENDER: Sender = { scope: '', label: 'token' };

function keyedSender(routingKey: string): Sender {
  const hash = createHash('sha256').update(routingKey).digest('hex').slice(0, ROUTING_KEY_HASH_HEX);
  return { scope: `rk:${hash}:`, label: `routing_key:${hash}` };
}

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
  /** The collector's clock check: a sender's `timestamp` is kept only when sane. */
  eventTime?: EventTimeGuard;
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
  private readonly eventTime: EventTimeGuard;

  constructor(private readonly deps: EventsV2Deps) {
    this.eventTime = deps.eventTime ?? new EventTimeGuard(deps.clock);
  }

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
    // Keyed by who sent it: routing key A must not ack/resolve (or swallow a trigger of) B's alert.
    const sender = bearerOk ? TOKEN_SENDER : keyedSender(e.routing_key);
    alerts.transact(() => {
      const now = clock.now();
      const alert = this.find(sender, dedupKey);
      const open = alert && alert.status !== 'resolved' ? alert : undefined;
      if (e.event_action === 'trigger') {
        if (open || !e.payload) return;
        const p = e.payload;
        const fired = alerts.fire({
          ruleId: `ev2:${p.class ?? p.component ?? p.source}`,
          tier: SEVERITY_TIERS[p.severity],
          source: 'events-v2',
          summary: p.summary,
          labels: { ...this.labels(e, dedupKey), [EV2_SENDER_LABEL]: sender.label },
          // The sender's clock only when sane: "+275760-…" would break every desktop's snapshot.
          firedAt: this.eventTime.senderTime(p.timestamp !== undefined ? Date.parse(p.timestamp) : undefined),
        });
        store.integrationKeys.putIntegrationKey('events-v2', sender.scope + dedupKey, fired.id, now);
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

  /**
   * The alert this sender's dedup_key names. A keyed sender also finds an alert stored under the
   * bare dedup_key if it carries no sender label: triggered before keys were scoped (by some
   * sender we can no longer tell), so it still resolves by the same dedup_key after an upgrade.
   * Alerts the token holder triggers since carry `token` and stay out of keyed senders' reach.
   */
  private find(sender: Sender, dedupKey: string): Alert | undefined {
    const { store } = this.deps;
    const id = store.integrationKeys.integrationAlertId('events-v2', sender.scope + dedupKey);
    if (id !== undefined || sender.scope === '') return id !== undefined ? store.getAlert(id) : undefined;
    const legacyId = store.integrationKeys.integrationAlertId('events-v2', dedupKey);
    const legacy = legacyId !== undefined ? store.getAlert(legacyId) : undefined;
    return legacy && legacy.labels[EV2_SENDER_LABEL] === undefined ? legacy : undefined;
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

import type { Clock } from '../../../shared/clock.js';
import type { AlertLabels, Tier } from '../../../shared/protocol/alert.js';
import { truncateText } from '../../../shared/protocol/bounded-text.js';
import {
  AM_MAX_URL,
  AlertmanagerWebhook,
  type AlertmanagerAccepted,
  type AlertmanagerAlert,
} from '../../../shared/protocol/alertmanager.js';
import { describeZodError } from '../../../shared/protocol/errors.js';
import type { AlertService } from '../alerts/alert-service.js';
import { HttpError } from '../http/http-error.js';
import { EventTimeGuard } from '../ingest/event-time.js';
import type { IngestMetrics } from '../ingest/ingest-metrics.js';
import type { CollectorStore } from '../store/store.js';
import { runbookIdFromUrl } from './runbook-link.js';

/** `severity` label → tier. Case-insensitive; anything else gets the configured default. */
const SEVERITY_TIERS: Record<string, Tier> = {
  critical: 'page',
  page: 'page',
  error: 'page',
  warning: 'ticket',
  ticket: 'ticket',
  info: 'review',
  none: 'review',
};

/** The alert's summary (from `summary`, else `description`): free text, cut with a marker beyond this. */
const MAX_SUMMARY = 1024;
/** A 400 names the failing field; a path through a huge label name must not make a huge answer. */
const MAX_ERROR_TEXT = 300;

export interface AlertmanagerDeps {
  store: CollectorStore;
  alerts: AlertService;
  clock: Clock;
  metrics: IngestMetrics;
  defaultTier: Tier;
  /** Whether a runbook id is bundled / in the team library. */
  isRunbook: (id: string) => boolean;
  /** The collector's clock check: `startsAt`/`endsAt` are kept only when sane. */
  eventTime?: EventTimeGuard;
}

/** Parses a webhook time; "0001-01-01T00:00:00Z" ("not set") and far-future times become the clock in senderTime. */
function time(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Date.parse(s);
}

/**
 * Alertmanager webhook v4 → Vigil alerts, keyed by fingerprint: `firing` opens an alert unless
 * one is open for that fingerprint (Alertmanager re-sends every group_interval); `resolved`
 * resolves it. The whole body is one durable transaction.
 */
export class AlertmanagerIntake {
  private readonly eventTime: EventTimeGuard;

  constructor(private readonly deps: AlertmanagerDeps) {
    this.eventTime = deps.eventTime ?? new EventTimeGuard(deps.clock);
  }

  handle(raw: unknown): AlertmanagerAccepted {
    const r = AlertmanagerWebhook.safeParse(raw);
    if (!r.success) {
      const d = describeZodError(r.error);
      const field = truncateText(d.field, MAX_ERROR_TEXT);
      throw new HttpError(400, 'invalid_field', truncateText(`${field}: ${d.message}`, MAX_ERROR_TEXT * 2), field);
    }
    const { store, alerts, clock, metrics } = this.deps;
    const out: AlertmanagerAccepted = { fired: 0, resolved: 0, unchanged: 0 };
    alerts.transact(() => {
      const now = clock.now();
      for (const a of r.data.alerts) {
        metrics.integrationEvents.inc({ integration: 'alertmanager', action: a.status });
        const id = store.integrationKeys.integrationAlertId('alertmanager', a.fingerprint);
        const open = id !== undefined && store.getAlert(id)?.status !== 'resolved' ? id : undefined;
        if (a.status === 'firing') {
          if (open) {
            out.unchanged += 1;
            continue;
          }
          // One Alertmanager group is one incident (issue 12): the core keys it by groupKey.
          const alert = alerts.fire({
            ...this.toAlert(a),
            firedAt: this.eventTime.senderTime(time(a.startsAt)),
            groupKey: r.data.groupKey,
          });
          store.integrationKeys.putIntegrationKey('alertmanager', a.fingerprint, alert.id, now);
          out.fired += 1;
        } else if (open) {
          alerts.resolveByRule(open, this.eventTime.senderTime(time(a.endsAt)), 'resolved in Alertmanager');
          out.resolved += 1;
        } else {
          out.unchanged += 1;
        }
      }
    });
    return out;
  }

  private toAlert(a: AlertmanagerAlert): {
    ruleId: string;
    tier: Tier;
    source: 'alertmanager';
    summary: string;
    labels: AlertLabels;
    runbookId?: string;
  } {
    const alertname = a.labels.alertname ?? 'alert';
    const severity = a.labels.severity?.toLowerCase();
    const tier = (severity !== undefined ? SEVERITY_TIERS[severity] : undefined) ?? this.deps.defaultTier;
    const summary = truncateText(a.annotations.summary ?? a.annotations.description ?? alertname, MAX_SUMMARY);
    const labels: AlertLabels = { ...a.labels, fingerprint: a.fingerprint };
    if (a.generatorURL) labels.generator_url = a.generatorURL;
    const runbookUrl = a.annotations.runbook_url;
    let runbookId: string | undefined;
    if (runbookUrl) {
      labels.runbook_url = truncateText(runbookUrl, AM_MAX_URL);
      runbookId = runbookIdFromUrl(runbookUrl, this.deps.isRunbook);
    }
    return {
      ruleId: `am:${alertname}`,
      tier,
      source: 'alertmanager',
      summary,
      labels,
      ...(runbookId ? { runbookId } : {}),
    };
  }
}

import { toIso, type Clock } from '../../../shared/clock.js';
import type { Alert } from '../../../shared/protocol/alert.js';
import { AM_SILENCE_MAX_MATCHERS, type AmMatcher } from '../../../shared/protocol/alertmanager-api.js';
import { truncateText } from '../../../shared/protocol/bounded-text.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { IncidentService } from '../incidents/incident-service.js';
import type { CollectorStore, IncidentLogEntry, StreamEntry } from '../store/store.js';
import type { AlertmanagerClient } from './alertmanager-client.js';

/** Labels the intake adds to an Alertmanager alert (alertmanager.ts): not Alertmanager's, never matched on. */
const VIGIL_LABELS = new Set(['fingerprint', 'generator_url', 'runbook_url']);
/** Silences one ack makes at most (one per open Alertmanager alert of the incident); the rest get a note. */
export const MAX_SILENCES_PER_ACK = 50;
/** A timeline note is cut to this. */
const MAX_NOTE = 1_000;

export interface AlertmanagerSilencesDeps {
  store: CollectorStore;
  alerts: AlertService;
  incidents: IncidentService;
  client: AlertmanagerClient;
  clock: Clock;
  log: (msg: string) => void;
  /** `integrations.alertmanager.silenceDuration`. */
  durationMs: number;
}

/** The comment marker that finds an incident's silences again (also after a restart: nothing is kept locally). */
export function silenceMarker(incidentId: string): string {
  return `[vigil incident ${incidentId}]`;
}

/** Equality matchers on an Alertmanager alert's own labels (what Alertmanager fingerprints). */
export function silenceMatchers(alert: Alert): AmMatcher[] {
  return Object.entries(alert.labels)
    .filter(([name]) => !VIGIL_LABELS.has(name))
    .slice(0, AM_SILENCE_MAX_MATCHERS)
    .map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
}

/**
 * Alertmanager both ways (issue 17): acknowledging an incident with Alertmanager alerts silences
 * them there (API v2, one silence per alert, equality matchers on its labels, created by the
 * acknowledging user, `silenceDuration` long); unacknowledging or resolving it expires them.
 * Runs on committed log entries, so the calls happen after the transaction and can never block
 * or undo the ack; each outcome (the silence id, or why it failed) becomes a note on the
 * incident's timeline. Calls for one incident run in order (an unack never overtakes its ack).
 */
export class AlertmanagerSilences {
  private readonly chains = new Map<string, Promise<void>>();
  private stop: (() => void) | undefined;
  private disposed = false;
  /** Incidents this run silenced (bounded: removed again when their silences are expired). */
  private readonly silenced = new Set<string>();

  constructor(private readonly deps: AlertmanagerSilencesDeps) {}

  start(): void {
    this.stop = this.deps.alerts.onCommitted((entries) => this.onCommitted(entries));
  }

  /** Resolves when every call queued so far has finished (tests, dispose). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  async dispose(): Promise<void> {
    this.stop?.();
    await this.idle();
    this.disposed = true;
  }

  private onCommitted(entries: readonly StreamEntry[]): void {
    for (const e of entries) {
      if (!('incidentId' in e)) continue;
      if (e.kind === 'acknowledged') {
        // Read now, right after the commit: the members as they were acknowledged.
        const members = this.amAlerts(e);
        if (members.length > 0) this.enqueue(e.incidentId, () => this.create(e, members));
      } else if (e.kind === 'unacknowledged' || e.kind === 'resolved') {
        if (this.hasAmAlerts(e)) this.enqueue(e.incidentId, () => this.expire(e.incidentId, e.kind));
      }
    }
  }

  private amAlerts(e: IncidentLogEntry): Alert[] {
    return e.incident.alertIds
      .map((id) => this.deps.store.getAlert(id))
      .filter((a): a is Alert => a !== undefined && a.source === 'alertmanager' && a.status !== 'resolved');
  }

  private hasAmAlerts(e: IncidentLogEntry): boolean {
    // Members the incident no longer lists (a drop) are covered by `silenced`, within this run.
    return (
      this.silenced.has(e.incidentId) ||
      e.incident.alertIds.some((id) => this.deps.store.getAlert(id)?.source === 'alertmanager')
    );
  }

  private enqueue(incidentId: string, job: () => Promise<void>): void {
    const prev = this.chains.get(incidentId) ?? Promise.resolve();
    const next = prev
      .then(job)
      .catch((err: unknown) => this.deps.log(`alertmanager silences: ${(err as Error).stack ?? String(err)}`))
      .finally(() => {
        if (this.chains.get(incidentId) === next) this.chains.delete(incidentId);
      });
    this.chains.set(incidentId, next);
  }

  private async create(e: IncidentLogEntry, members: Alert[]): Promise<void> {
    const { client, clock, durationMs } = this.deps;
    const user = e.actor ?? 'vigil';
    const now = clock.now();
    const endsAt = toIso(now + durationMs);
    const made: string[] = [];
    const failed: string[] = [];
    for (const a of members.slice(0, MAX_SILENCES_PER_ACK)) {
      const matchers = silenceMatchers(a);
      if (matchers.length === 0) continue;
      try {
        const id = await client.createSilence({
          matchers,
          startsAt: toIso(now),
          endsAt,
          createdBy: user,
          comment: `Acknowledged in Vigil by ${user}: ${truncateText(e.incident.title, 200)} ${silenceMarker(e.incidentId)}`,
        });
        made.push(`${id} (${a.labels.alertname ?? a.id})`);
      } catch (err) {
        failed.push(`${a.labels.alertname ?? a.id}: ${(err as Error).message}`);
      }
    }
    if (made.length > 0) this.silenced.add(e.incidentId);
    if (made.length > 0) this.note(e.incidentId, `Alertmanager silence created until ${endsAt}: ${made.join(', ')}`);
    if (failed.length > 0) this.note(e.incidentId, `Alertmanager silence FAILED: ${failed.join('; ')}`);
    if (members.length > MAX_SILENCES_PER_ACK)
      this.note(
        e.incidentId,
        `Alertmanager: only the first ${MAX_SILENCES_PER_ACK} of ${members.length} alerts were silenced`,
      );
  }

  private async expire(incidentId: string, why: string): Promise<void> {
    const { client } = this.deps;
    const marker = silenceMarker(incidentId);
    let ids: string[];
    try {
      ids = (await client.listSilences())
        .filter((s) => s.status.state !== 'expired' && s.comment.includes(marker))
        .map((s) => s.id);
    } catch (err) {
      this.note(incidentId, `Alertmanager silence expiry FAILED (${why}): ${(err as Error).message}`);
      return;
    }
    this.silenced.delete(incidentId);
    const expired: string[] = [];
    const failed: string[] = [];
    for (const id of ids) {
      try {
        await client.expireSilence(id);
        expired.push(id);
      } catch (err) {
        failed.push((err as Error).message);
      }
    }
    if (expired.length > 0) this.note(incidentId, `Alertmanager silence expired (${why}): ${expired.join(', ')}`);
    if (failed.length > 0) this.note(incidentId, `Alertmanager silence expiry FAILED (${why}): ${failed.join('; ')}`);
  }

  /** A `commented` entry on the incident's timeline, in its own transaction (after the one that caused it). */
  private note(incidentId: string, text: string): void {
    if (this.disposed) return;
    const { alerts, incidents, store, clock } = this.deps;
    const note = truncateText(text, MAX_NOTE);
    try {
      alerts.transact(() => {
        if (incidents.incident(incidentId) !== undefined) {
          incidents.queue({ incidentId, kind: 'commented', actor: alerts.actor, note });
          return;
        }
        // Forgotten by the core (resolved over an hour ago): straight onto the stored incident.
        const stored = store.incidents.get(incidentId);
        if (stored === undefined) return;
        alerts.publish(
          store.appendIncidentLog({
            at: clock.now(),
            incidentId,
            kind: 'commented',
            actor: alerts.actor,
            note,
            incident: stored,
          }),
        );
      });
    } catch (err) {
      this.deps.log(`alertmanager silences: timeline note failed: ${(err as Error).message}`);
    }
  }
}

import { systemClock, toIso, type Clock } from '../../../../shared/clock.js';
import type { AlarmState } from '../../../../shared/protocol/alarm.js';
import type { Incident } from '../../../../shared/protocol/incident.js';
import type { DesktopNotification, Notifier } from '../notifier/notifier.js';
import { Listeners, silentLogger, systemTimers, type Logger, type Timers } from '../runtime.js';
import { alarmAction, alarmPage, incidentSummary, ringText } from './alarm-policy.js';

/** Where the Alarm reads incidents: the local cache, kept current by the sync client. */
export interface AlarmSource {
  /** Open incidents (resolved ones never ring; the list may hold them too). */
  listIncidents(): Incident[];
  getIncident(id: string): Incident | undefined;
  /** How many of its member alerts are open (the "· 4 alerts" of its notification). */
  openAlertCount(incident: Incident): number;
  /**
   * Incidents changed (the incident itself, or one of its members); an empty list means
   * "anything may have changed".
   */
  onIncidentsChanged(listener: (incidentIds: string[]) => void): () => void;
}

export interface AlarmOptions {
  user: string;
  source: AlarmSource;
  notifier: Notifier;
  /** Sends an ack for the incident (through the outbox), e.g. from a notification's button. */
  acknowledge(incidentId: string): void;
  /** Collector clock minus local clock, for countdown text. */
  serverOffsetMs?: () => number;
  /** How often a ringing incident is notified again until acknowledged. */
  repeatEveryMs?: number;
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
}

export const DEFAULT_REPEAT_MS = 30_000;
/**
 * Notifications are bounded whatever arrives: grouping makes one incident of an outage, but a
 * snapshot may still hold thousands of unrelated ones. Past these counts (of incidents) the rest
 * are summed up in one notification, so a storm spawns a handful of notify-send processes, not
 * thousands, and the screen stays readable.
 */
export const MAX_LOUD_PAGES = 5;
export const MAX_TICKET_NOTES = 3;
/** Stable ids of the summary notifications (replaced on each ring, like a page's). */
export const MORE_PAGES_ID = 'vigil:more-pages';
export const MORE_TICKETS_ID = 'vigil:more-tickets';
/** First retry after a retryable notifier failure; doubles up to the repeat interval. */
const RETRY_BASE_MS = 1_000;

/**
 * An incident the alarm shows, with its open member count as of its last change (members
 * changing reach the alarm as a change of their incident, so the count is kept current here
 * rather than counted again for every state and every ring).
 */
interface Shown {
  incident: Incident;
  openAlerts: number;
}

interface Ringing extends Shown {
  nextAt: number;
  failures: number;
}

/**
 * Makes paging incidents for this user loud: ONE native notification per incident (its id is the
 * incident's, so each ring replaces the last) at once and again every `repeatEveryMs` until the
 * incident is acknowledged, snoozed, resolved or handed to someone else. A member joining a
 * ringing incident does not ring again: the next ring carries the new count. Incidents held by
 * others are only watched; ticket incidents get one quiet notification. Holds one timer (the next ring).
 */
export class AlarmService {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly repeatMs: number;
  private readonly ringing = new Map<string, Ringing>();
  private readonly watching = new Map<string, Shown>();
  private readonly notifiedTickets = new Set<string>();
  /** New ticket incidents seen in this change, announced together in afterChange(). */
  private freshTickets: Shown[] = [];
  /** A ringing page past MAX_LOUD_PAGES came due: one summary rings for all of them. */
  private morePagesDue = false;
  private morePagesShown = false;
  private readonly changed = new Listeners<AlarmState>();
  private readonly unsubscribe: Array<() => void> = [];
  private timer: unknown = null;
  private started = false;
  private lastJson = '';

  constructor(private readonly opts: AlarmOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.log = opts.log ?? silentLogger;
    this.repeatMs = opts.repeatEveryMs ?? DEFAULT_REPEAT_MS;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.unsubscribe.push(
      this.opts.source.onIncidentsChanged((ids) => (ids.length === 0 ? this.rescan(false) : this.update(ids))),
      this.opts.notifier.onAcknowledge((id) => {
        if (this.ringing.has(id)) this.opts.acknowledge(id);
      }),
    );
    // Tickets already open when the app starts were announced before: only new ones notify.
    this.rescan(true);
  }

  dispose(): void {
    this.started = false;
    for (const u of this.unsubscribe.splice(0)) u();
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.ringing.clear();
    this.watching.clear();
    this.changed.clear();
  }

  state(): AlarmState {
    const page = (s: Shown) => alarmPage(s.incident, s.openAlerts);
    const ringing = [...this.ringing.values()].map(page);
    const due = ringing
      .map((p) => (p.dueAt ? Date.parse(p.dueAt) : Infinity))
      .reduce((a, b) => Math.min(a, b), Infinity);
    return {
      user: this.opts.user,
      ringing,
      watching: [...this.watching.values()].map(page),
      ...(Number.isFinite(due) ? { nextDueAt: toIso(due) } : {}),
    };
  }

  onChanged(listener: (state: AlarmState) => void): () => void {
    return this.changed.on(listener);
  }

  private rescan(priming: boolean): void {
    const incidents = this.opts.source.listIncidents();
    const seen = new Set(incidents.map((i) => i.id));
    for (const id of [...this.ringing.keys(), ...this.watching.keys(), ...this.notifiedTickets])
      if (!seen.has(id)) this.classify(id, undefined, false);
    for (const i of incidents) this.classify(i.id, i, priming);
    this.afterChange();
  }

  private update(ids: readonly string[]): void {
    for (const id of new Set(ids)) this.classify(id, this.opts.source.getIncident(id), false);
    this.afterChange();
  }

  private classify(id: string, incident: Incident | undefined, priming: boolean): void {
    const action = incident ? alarmAction(incident, this.opts.user) : 'none';
    const shown = (i: Incident): Shown => ({ incident: i, openAlerts: this.opts.source.openAlertCount(i) });
    if (action === 'ring' && incident) {
      this.watching.delete(id);
      const prev = this.ringing.get(id);
      // Newly ours (rang after its group wait, escalated to us, snooze ended, unacknowledged):
      // ring now. Already ringing (a member joined, the title changed): the next ring says so.
      if (!prev) this.ring({ ...shown(incident), nextAt: this.clock.now(), failures: 0 });
      else Object.assign(prev, shown(incident));
      return;
    }
    if (this.ringing.delete(id)) this.opts.notifier.withdraw?.(id, withdrawnText(incident, this.opts.user));
    if (action === 'watch' && incident) this.watching.set(id, shown(incident));
    else this.watching.delete(id);
    if (action === 'notify-once' && incident && !this.notifiedTickets.has(id)) {
      this.notifiedTickets.add(id);
      if (!priming) this.freshTickets.push(shown(incident));
    }
    // Gone or over: a ticket incident that reopens later is news again (and the set stays bounded).
    if (incident === undefined || incident.status === 'resolved') this.notifiedTickets.delete(id);
  }

  private ring(r: Ringing): void {
    const id = r.incident.id;
    this.ringing.set(id, r);
    r.nextAt = this.clock.now() + this.repeatMs;
    // The oldest incidents ring one by one (Map order is arrival order); the rest share a summary.
    if (!this.isLoudSlot(id)) {
      this.morePagesDue = true;
      return;
    }
    void this.send(r, true).then((ok) => {
      if (ok === 'retry' && this.ringing.get(id) === r) {
        r.failures += 1;
        r.nextAt = this.clock.now() + Math.min(RETRY_BASE_MS * 2 ** (r.failures - 1), this.repeatMs);
        this.arm();
      } else if (ok === 'sent') {
        r.failures = 0;
      }
    });
  }

  private isLoudSlot(id: string): boolean {
    let i = 0;
    for (const key of this.ringing.keys()) {
      if (key === id) return true;
      if (++i >= MAX_LOUD_PAGES) return false;
    }
    return false;
  }

  /** Sends what a change left to announce: the pages-summary and the new tickets, bounded. */
  private announce(): void {
    const extra = this.ringing.size - MAX_LOUD_PAGES;
    if (this.morePagesDue && extra > 0) {
      void this.notify({
        id: MORE_PAGES_ID,
        title: `${extra} more incident${extra === 1 ? '' : 's'} paging you`,
        body: 'Open Vigil to see and acknowledge them',
        loud: true,
        acknowledgeAction: false,
      });
      this.morePagesShown = true;
    } else if (extra <= 0 && this.morePagesShown) {
      this.morePagesShown = false;
      this.opts.notifier.withdraw?.(MORE_PAGES_ID, { title: 'No more pages waiting', body: '' });
    }
    this.morePagesDue = false;
    const tickets = this.freshTickets;
    this.freshTickets = [];
    if (tickets.length <= MAX_TICKET_NOTES) {
      for (const t of tickets) void this.send(t, false);
    } else {
      void this.notify({
        id: MORE_TICKETS_ID,
        title: `${tickets.length} new tickets`,
        body: tickets
          .slice(0, MAX_TICKET_NOTES)
          .map((t) => incidentSummary(t.incident, t.openAlerts))
          .join('\n'),
        loud: false,
        acknowledgeAction: false,
      });
    }
  }

  /** The text is made at each ring: a member that joined since the last one shows in this one. */
  private async send({ incident, openAlerts }: Shown, loud: boolean): Promise<'sent' | 'retry' | 'failed'> {
    const text = loud
      ? ringText(incident, openAlerts, this.clock.now() + (this.opts.serverOffsetMs?.() ?? 0))
      : { title: incidentSummary(incident, openAlerts), body: 'New ticket: investigate within 24 h' };
    return this.notify({ id: incident.id, ...text, loud, acknowledgeAction: loud });
  }

  private async notify(n: DesktopNotification): Promise<'sent' | 'retry' | 'failed'> {
    try {
      const r = await this.opts.notifier.notify(n);
      if (r.ok) return 'sent';
      this.log.warn(`alarm: notification for ${n.id} failed (${r.retry ? 'will retry' : 'giving up'}): ${r.error}`);
      return r.retry ? 'retry' : 'failed';
    } catch (err) {
      this.log.error(`alarm: notifier threw: ${String(err)}`);
      return 'failed';
    }
  }

  private afterChange(): void {
    this.announce();
    this.arm();
    const state = this.state();
    const json = JSON.stringify(state);
    if (json !== this.lastJson) {
      this.lastJson = json;
      this.changed.emit(state, this.log);
    }
  }

  private arm(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (!this.started || this.ringing.size === 0) return;
    const next = Math.min(...[...this.ringing.values()].map((r) => r.nextAt));
    this.timer = this.timers.setTimeout(() => this.tick(), Math.max(0, next - this.clock.now()));
  }

  private tick(): void {
    this.timer = null;
    const now = this.clock.now();
    for (const r of [...this.ringing.values()]) if (r.nextAt <= now) this.ring(r);
    this.announce();
    this.arm();
  }
}

/** What an incident's notification says as it is taken down: why it stopped ringing. */
function withdrawnText(incident: Incident | undefined, user: string): { title: string; body: string } {
  const body = incident?.title ?? '';
  switch (incident?.status) {
    case 'acknowledged':
      return {
        title: `Acknowledged by ${incident.acknowledgedBy === user ? 'you' : (incident.acknowledgedBy ?? 'someone')}`,
        body,
      };
    case 'resolved':
      return { title: 'Resolved', body };
    case 'snoozed':
      return { title: 'Snoozed', body };
    default:
      if (incident?.silenced === true) return { title: 'Silenced', body };
      return { title: incident ? 'No longer paging you' : 'Gone from the collector', body };
  }
}

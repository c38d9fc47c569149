import { systemClock, toIso, type Clock } from '../../../../shared/clock.js';
import type { Alert } from '../../../../shared/protocol/alert.js';
import type { AlarmState } from '../../../../shared/protocol/alarm.js';
import type { DesktopNotification, Notifier } from '../notifier/notifier.js';
import { Listeners, silentLogger, systemTimers, type Logger, type Timers } from '../runtime.js';
import { alarmAction, alarmPage, ringText } from './alarm-policy.js';

/** Where the Alarm reads alerts: the local cache, kept current by the sync client. */
export interface AlarmSource {
  listAlerts(): Alert[];
  getAlert(id: string): Alert | undefined;
  /** Ids changed; an empty list means "anything may have changed". */
  onAlertsChanged(listener: (alertIds: string[]) => void): () => void;
}

export interface AlarmOptions {
  user: string;
  source: AlarmSource;
  notifier: Notifier;
  /** Sends an ack for the alert (through the outbox), e.g. from a notification's button. */
  acknowledge(alertId: string): void;
  /** Collector clock minus local clock, for countdown text. */
  serverOffsetMs?: () => number;
  /** How often a ringing page is notified again until acknowledged. */
  repeatEveryMs?: number;
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
}

export const DEFAULT_REPEAT_MS = 30_000;
/**
 * Notifications are bounded whatever arrives: an Alertmanager webhook may carry 10,000 alerts, a
 * snapshot thousands. Past these counts the rest are summed up in one notification, so a storm
 * spawns a handful of notify-send processes, not thousands, and the screen stays readable.
 */
export const MAX_LOUD_PAGES = 5;
export const MAX_TICKET_NOTES = 3;
/** Stable ids of the summary notifications (replaced on each ring, like a page's). */
export const MORE_PAGES_ID = 'vigil:more-pages';
export const MORE_TICKETS_ID = 'vigil:more-tickets';
/** First retry after a retryable notifier failure; doubles up to the repeat interval. */
const RETRY_BASE_MS = 1_000;

interface Ringing {
  alert: Alert;
  nextAt: number;
  failures: number;
}

/**
 * Makes pages for this user loud: a native notification at once and again every `repeatEveryMs`
 * until the page is acknowledged, snoozed, resolved or handed to someone else. Pages for others
 * are only watched; tickets get one quiet notification. Holds one timer (the next ring).
 */
export class AlarmService {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly repeatMs: number;
  private readonly ringing = new Map<string, Ringing>();
  private readonly watching = new Map<string, Alert>();
  private readonly notifiedTickets = new Set<string>();
  /** New tickets seen in this change, announced together in afterChange(). */
  private freshTickets: Alert[] = [];
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
      this.opts.source.onAlertsChanged((ids) => (ids.length === 0 ? this.rescan(false) : this.update(ids))),
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
    const ringing = [...this.ringing.values()].map((r) => alarmPage(r.alert));
    const due = ringing
      .map((p) => (p.dueAt ? Date.parse(p.dueAt) : Infinity))
      .reduce((a, b) => Math.min(a, b), Infinity);
    return {
      user: this.opts.user,
      ringing,
      watching: [...this.watching.values()].map(alarmPage),
      ...(Number.isFinite(due) ? { nextDueAt: toIso(due) } : {}),
    };
  }

  onChanged(listener: (state: AlarmState) => void): () => void {
    return this.changed.on(listener);
  }

  private rescan(priming: boolean): void {
    const alerts = this.opts.source.listAlerts();
    const seen = new Set(alerts.map((a) => a.id));
    for (const id of [...this.ringing.keys(), ...this.watching.keys()])
      if (!seen.has(id)) this.classify(id, undefined, false);
    for (const a of alerts) this.classify(a.id, a, priming);
    this.afterChange();
  }

  private update(ids: readonly string[]): void {
    for (const id of ids) this.classify(id, this.opts.source.getAlert(id), false);
    this.afterChange();
  }

  private classify(id: string, alert: Alert | undefined, priming: boolean): void {
    const action = alert ? alarmAction(alert, this.opts.user) : 'none';
    if (action === 'ring' && alert) {
      this.watching.delete(id);
      const prev = this.ringing.get(id);
      // Newly ours (fired, escalated to us, snooze ended, unacknowledged): ring now.
      if (!prev) this.ring({ alert, nextAt: this.clock.now(), failures: 0 });
      else prev.alert = alert;
      return;
    }
    if (this.ringing.delete(id)) this.opts.notifier.withdraw?.(id, withdrawnText(alert, this.opts.user));
    if (action === 'watch' && alert) this.watching.set(id, alert);
    else this.watching.delete(id);
    if (action === 'notify-once' && alert && !this.notifiedTickets.has(id)) {
      this.notifiedTickets.add(id);
      if (!priming) this.freshTickets.push(alert);
    }
  }

  private ring(r: Ringing): void {
    this.ringing.set(r.alert.id, r);
    r.nextAt = this.clock.now() + this.repeatMs;
    // The oldest pages ring one by one (Map order is arrival order); the rest share a summary.
    if (!this.isLoudSlot(r.alert.id)) {
      this.morePagesDue = true;
      return;
    }
    void this.send(r.alert, true).then((ok) => {
      if (ok === 'retry' && this.ringing.get(r.alert.id) === r) {
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
        alertId: MORE_PAGES_ID,
        title: `${extra} more page${extra === 1 ? '' : 's'} for you`,
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
        alertId: MORE_TICKETS_ID,
        title: `${tickets.length} new tickets`,
        body: tickets
          .slice(0, MAX_TICKET_NOTES)
          .map((t) => t.summary)
          .join('\n'),
        loud: false,
        acknowledgeAction: false,
      });
    }
  }

  private async send(alert: Alert, loud: boolean): Promise<'sent' | 'retry' | 'failed'> {
    const text = loud
      ? ringText(alert, this.clock.now() + (this.opts.serverOffsetMs?.() ?? 0))
      : { title: alert.summary, body: 'New ticket: investigate within 24 h' };
    return this.notify({ alertId: alert.id, ...text, loud, acknowledgeAction: loud });
  }

  private async notify(n: DesktopNotification): Promise<'sent' | 'retry' | 'failed'> {
    try {
      const r = await this.opts.notifier.notify(n);
      if (r.ok) return 'sent';
      this.log.warn(
        `alarm: notification for ${n.alertId} failed (${r.retry ? 'will retry' : 'giving up'}): ${r.error}`,
      );
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

/** What a page's notification says as it is taken down: why it stopped ringing. */
function withdrawnText(alert: Alert | undefined, user: string): { title: string; body: string } {
  const body = alert?.summary ?? '';
  switch (alert?.status) {
    case 'acknowledged':
      return {
        title: `Acknowledged by ${alert.acknowledgedBy === user ? 'you' : (alert.acknowledgedBy ?? 'someone')}`,
        body,
      };
    case 'resolved':
      return { title: 'Resolved', body };
    case 'snoozed':
      return { title: 'Snoozed', body };
    default:
      return { title: alert ? 'No longer paging you' : 'Gone from the collector', body };
  }
}

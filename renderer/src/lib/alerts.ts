import type { Alert, AlertStatus, CommandKind, Tier } from '../../../shared/protocol';

/** The inbox's tabs. "open" is everything someone may still have to act on. */
export type InboxView = 'open' | 'resolved' | 'all';

export const TIER_LABEL: Record<Tier, string> = { page: 'PAGE', ticket: 'TICKET', review: 'REVIEW' };

export const TIER_HINT: Record<Tier, string> = {
  page: 'Page: act now',
  ticket: 'Ticket: investigate within 24 h',
  review: 'Review: weekly review',
};

export const STATUS_LABEL: Record<AlertStatus, string> = {
  pending: 'Pending',
  firing: 'Firing',
  acknowledged: 'Acknowledged',
  snoozed: 'Snoozed',
  resolved: 'Resolved',
};

export function isOpen(status: AlertStatus): boolean {
  return status !== 'resolved';
}

function firedMs(a: Alert): number {
  const t = Date.parse(a.firedAt);
  return Number.isFinite(t) ? t : 0;
}

/** Newest first by fire time; ties broken by id so the order never flickers between refetches. */
export function sortNewestFirst(alerts: readonly Alert[]): Alert[] {
  return [...alerts].sort((a, b) => firedMs(b) - firedMs(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export function filterByView(alerts: readonly Alert[], view: InboxView): Alert[] {
  if (view === 'all') return [...alerts];
  const wantOpen = view === 'open';
  return alerts.filter((a) => isOpen(a.status) === wantOpen);
}

export function countByView(alerts: readonly Alert[]): Record<InboxView, number> {
  let open = 0;
  for (const a of alerts) if (isOpen(a.status)) open++;
  return { open, resolved: alerts.length - open, all: alerts.length };
}

/**
 * The id the keyboard cursor lands on after moving `delta` rows (j = +1, k = -1). Clamps at the
 * ends instead of wrapping: wrapping from the oldest alert to the newest is disorienting. With no
 * current cursor (or one that left the list) the first row is where you start.
 */
export function moveCursor(ids: readonly string[], current: string | null, delta: number): string | null {
  if (ids.length === 0) return null;
  const at = current === null ? -1 : ids.indexOf(current);
  if (at === -1) return ids[0] ?? null;
  const next = Math.min(ids.length - 1, Math.max(0, at + delta));
  return ids[next] ?? null;
}

/**
 * Which commands make sense for an alert in its current state. The collector is still the judge
 * (an offline ack can conflict later); this only keeps obviously pointless buttons disabled.
 */
export function availableCommands(alert: Alert): Set<CommandKind> {
  const kinds = new Set<CommandKind>(['comment']);
  if (alert.status === 'resolved') return kinds;
  if (alert.status === 'acknowledged') kinds.add('unack');
  else kinds.add('ack');
  if (!alert.mitigatedAt) kinds.add('mitigate');
  kinds.add('resolve');
  kinds.add('snooze');
  kinds.add('escalate');
  return kinds;
}

/** Snooze choices offered in the detail pane, as [label, milliseconds]. */
export const SNOOZE_CHOICES: ReadonlyArray<readonly [string, number]> = [
  ['15m', 15 * 60_000],
  ['1h', 60 * 60_000],
  ['4h', 4 * 60 * 60_000],
];

import type { Alert } from '../../../shared/protocol';
import { formatCountdown } from './time';

/** The last stretch before an escalation is shown as urgent. */
export const URGENT_MS = 5 * 60_000;

export interface CountdownView {
  text: string;
  remainingMs: number;
  urgent: boolean;
  overdue: boolean;
}

/** "12:04" to `dueAtMs` on the collector's clock; urgent in the last 5 minutes. */
export function countdownView(dueAtMs: number, serverNowMs: number): CountdownView {
  const remainingMs = dueAtMs - serverNowMs;
  return {
    text: remainingMs > 0 ? formatCountdown(remainingMs) : 'due now',
    remainingMs,
    urgent: remainingMs <= URGENT_MS,
    overdue: remainingMs <= 0,
  };
}

/** A page counting down to its next escalation: firing, unacknowledged, with a next level. */
export function isHeadingForEscalation(a: Alert): boolean {
  return a.tier === 'page' && a.status === 'firing' && a.escalation?.nextTarget !== undefined;
}

/** Every open page heading for escalation, soonest deadline first (the Escalations view). */
export function escalationQueue(alerts: readonly Alert[]): Alert[] {
  return alerts
    .filter(isHeadingForEscalation)
    .sort(
      (a, b) =>
        Date.parse(a.escalation?.dueAt ?? '') - Date.parse(b.escalation?.dueAt ?? '') || a.id.localeCompare(b.id),
    );
}

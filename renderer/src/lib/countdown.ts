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

/** Since protocol 5 escalation is per incident: see `incidentHeadingForEscalation` in ./incidents. */
export { incidentHeadingForEscalation, incidentEscalationQueue } from './incidents';

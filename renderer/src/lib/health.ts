import { DateTime } from 'luxon';
import type { HealthAnswer, HealthWeek, UserHealth } from '../../../shared/protocol';

/** "4m 05s", "1h 02m", "—" for no value: response times as people read them in a handoff meeting. */
export function formatSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  const total = Math.round(s);
  if (total < 60) return `${total}s`;
  const m = Math.floor(total / 60);
  if (m < 60) return `${m}m ${String(total % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatHours(h: number): string {
  return `${h.toFixed(1)} h`;
}

export function formatPercent(x: number | null): string {
  return x === null ? '—' : `${(x * 100).toFixed(2)}%`;
}

/** The current rotation's row: the last week of the answer (the range ends now). */
export function currentWeek(a: HealthAnswer): HealthWeek | undefined {
  return a.weeks[a.weeks.length - 1];
}

/** Everyone who appears in any week or in the totals, sorted. */
export function healthUsers(a: HealthAnswer): string[] {
  const users = new Set(Object.keys(a.byUser));
  for (const w of a.weeks) for (const u of Object.keys(w.byUser)) users.add(u);
  return [...users].sort();
}

/** Which span the per-person table shows: the handoff meeting reads last week's. */
export type PersonPeriod = 'this-week' | 'last-week' | 'range';

export const PERSON_PERIODS: readonly { id: PersonPeriod; label: string }[] = [
  { id: 'this-week', label: 'This week' },
  { id: 'last-week', label: 'Last week' },
  { id: 'range', label: 'All 13 weeks' },
];

/**
 * Per-person figures of the chosen span: this week is the last (current) week of the answer,
 * last week the one before it, range the answer's totals. Undefined when the answer has no such week.
 */
export function personFigures(
  a: HealthAnswer,
  period: PersonPeriod,
): { byUser: Record<string, UserHealth>; from?: string } | undefined {
  if (period === 'range') return { byUser: a.byUser, from: a.from };
  const w = a.weeks[a.weeks.length - (period === 'this-week' ? 1 : 2)];
  return w ? { byUser: w.byUser, from: w.from } : undefined;
}

export function userWeek(w: HealthWeek, user: string): UserHealth | undefined {
  return w.byUser[user];
}

/** "Mon 23 Mar" in the team's zone: which week a row is. */
export function formatDay(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone }).toFormat('ccc d LLL');
}

/** "23 Mar 14:05" in the viewer's zone: when the figures were fetched. */
export function formatAsOf(iso: string): string {
  return DateTime.fromISO(iso).toFormat('d LLL HH:mm');
}

/**
 * Time formatting for the on-call views. Every function takes "now" as an argument (already
 * corrected by the collector's clock offset) so ages and countdowns agree with the collector
 * and tests need no fake timers.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Epoch ms of an ISO 8601 string; NaN when it does not parse. */
export function isoToMs(iso: string): number {
  return Date.parse(iso);
}

/**
 * "12s ago", "3m ago", "2h 5m ago", "14h ago", "3d ago". Times slightly in the future (clock skew
 * the offset did not catch) read as "just now" rather than as a negative age.
 */
export function formatAgo(thenMs: number, nowMs: number): string {
  const age = nowMs - thenMs;
  if (!Number.isFinite(age)) return '—';
  if (age < SECOND) return 'just now';
  if (age < MINUTE) return `${Math.floor(age / SECOND)}s ago`;
  if (age < HOUR) return `${Math.floor(age / MINUTE)}m ago`;
  if (age < 10 * HOUR) {
    const h = Math.floor(age / HOUR);
    const m = Math.floor((age % HOUR) / MINUTE);
    return m === 0 ? `${h}h ago` : `${h}h ${m}m ago`;
  }
  if (age < DAY) return `${Math.floor(age / HOUR)}h ago`;
  return `${Math.floor(age / DAY)}d ago`;
}

/** A compact duration without "ago": "45s", "14m", "2h 5m", "3d". Used for data age. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '0s';
  if (ms < MINUTE) return `${Math.floor(ms / SECOND)}s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)}m`;
  if (ms < DAY) {
    const h = Math.floor(ms / HOUR);
    const m = Math.floor((ms % HOUR) / MINUTE);
    return m === 0 ? `${h}h` : `${h}h ${m}m`;
  }
  return `${Math.floor(ms / DAY)}d`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Remaining time as a clock: "4:05", "1:02:03". Never negative: callers that care about "overdue"
 * check the sign themselves, a countdown that shows "-0:12" is just confusing at 3am.
 */
export function formatCountdown(remainingMs: number): string {
  const total = Math.max(0, Math.ceil(remainingMs / SECOND));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h > 0 ? `${h}:${pad2(m)}:${pad2(s)}` : `${m}:${pad2(s)}`;
}

/** Whole seconds until `atMs`, rounded up so "in 0 s" only shows when it is due. */
export function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(0, Math.ceil((atMs - nowMs) / SECOND));
}

/**
 * Formatters by time zone ('' is local). Building an Intl.DateTimeFormat costs ~1 ms (far more
 * the first time), and every row's "3m ago" tooltip formats a time each second: build each once.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string | undefined): Intl.DateTimeFormat {
  const key = timeZone ?? '';
  let fmt = formatters.get(key);
  if (fmt === undefined) {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(key, fmt);
  }
  return fmt;
}

function parts(ms: number, timeZone: string | undefined): Record<string, string> {
  const fmt = formatterFor(timeZone);
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** "14:03:27" in the given zone (local by default), 24-hour. */
export function formatClock(ms: number, timeZone?: string): string {
  const p = parts(ms, timeZone);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** "14:03" in the given zone (local by default), 24-hour. */
export function formatClockShort(ms: number, timeZone?: string): string {
  const p = parts(ms, timeZone);
  return `${p.hour}:${p.minute}`;
}

/**
 * A timestamp for timelines and detail fields: just the time when it is the same calendar day as
 * now, otherwise "Tue 12 May 14:03:27", so an old alert is never mistaken for one from tonight.
 */
export function formatStamp(ms: number, nowMs: number, timeZone?: string): string {
  const p = parts(ms, timeZone);
  const n = parts(nowMs, timeZone);
  const time = `${p.hour}:${p.minute}:${p.second}`;
  if (p.year === n.year && p.month === n.month && p.day === n.day) return time;
  const date = `${p.weekday} ${p.day} ${p.month}`;
  return p.year === n.year ? `${date} ${time}` : `${date} ${p.year} ${time}`;
}

import { matcherText, type Silence } from '../protocol/incident.js';
import { matchLabels, matchesAll, matchesEmpty } from './matchers.js';
import type { AlertRecord, IncidentCoreState } from './schema.js';
import { Draft } from './records.js';

/**
 * Silences (Alertmanager semantics): a silence is active while `startsAt ≤ now < endsAt`; an
 * alert matching all its matchers is silenced: recorded and shown, never notifying. Expiring a
 * silence early sets `endsAt` to the moment of expiry (one not yet started ends when it starts).
 */

/** Silences not yet ended (active or pending) at once; one more is refused (memory, matching work). */
export const MAX_SILENCES = 1_000;
/**
 * The list every desktop receives on each change is bounded in bytes too: a silence may carry 32
 * long matchers and a long comment, and a full list is sent to every connected desktop.
 */
export const MAX_SILENCE_LIST_BYTES = 4 * 1024 * 1024;
/** Ended silences stay listed this long (so "expired by X" stays visible), then are dropped… */
export const EXPIRED_SILENCE_KEEP_MS = 24 * 3_600_000;
/** …and at most this many of them, the oldest-ended dropped first: they never block new silences. */
export const MAX_ENDED_SILENCES = 200;

function window(s: Silence): { start: number; end: number } {
  return { start: Date.parse(s.startsAt), end: Date.parse(s.endsAt) };
}

export function isActive(s: Silence, now: number): boolean {
  const { start, end } = window(s);
  return start <= now && now < end;
}

export function activeSilences(silences: readonly Silence[], now: number): Silence[] {
  return silences.filter((s) => isActive(s, now));
}

/**
 * Whether a silence's matchers hold for an alert, remembered per (alert record, silence): both are
 * immutable (a change makes a new object), so every transaction re-checks only what changed
 * instead of every silence against every held alert.
 */
const matchMemo = new WeakMap<object, WeakMap<Silence, boolean>>();

function silenceMatches(alert: Pick<AlertRecord, 'labels' | 'ruleId' | 'tier'>, s: Silence): boolean {
  let perAlert = matchMemo.get(alert);
  if (perAlert === undefined) {
    perAlert = new WeakMap();
    matchMemo.set(alert, perAlert);
  }
  let hit = perAlert.get(s);
  if (hit === undefined) {
    hit = matchesAll(s.matchers, matchLabels(alert));
    perAlert.set(s, hit);
  }
  return hit;
}

/** Id of the first active silence matching the alert (silences in creation order). */
export function silencedBy(
  alert: Pick<AlertRecord, 'labels' | 'ruleId' | 'tier'>,
  silences: readonly Silence[],
  now: number,
): string | undefined {
  return silences.find((s) => isActive(s, now) && silenceMatches(alert, s))?.id;
}

/**
 * Problems with a new silence, as messages naming the field; empty when it may be added. The
 * schema has checked shape and regexes; this checks what needs config and the clock.
 */
export function validateSilence(s: Silence, now: number, maxDurationMs: number): string[] {
  const errors: string[] = [];
  const { start, end } = window(s);
  if (!(end > start)) errors.push('endsAt: must be after startsAt');
  else if (end - start > maxDurationMs)
    errors.push(`endsAt: a silence lasts at most ${maxDurationMs} ms (silences.maxDuration)`);
  if (end <= now) errors.push('endsAt: must be in the future');
  // A silence starting far ahead would hold a slot (and hide pages then) for as long as it likes.
  if (start > now + maxDurationMs) {
    errors.push(`startsAt: a silence starts at most ${maxDurationMs} ms ahead (silences.maxDuration)`);
  }
  if (s.matchers.every(matchesEmpty)) {
    errors.push(
      `matchers: at least one matcher must not match an empty label (${s.matchers.map(matcherText).join(', ')} would silence almost everything)`,
    );
  }
  return errors;
}

export type SilenceChange = { ok: true; silences: Silence[] } | { ok: false; errors: string[] };

export function addSilence(
  silences: readonly Silence[],
  s: Silence,
  now: number,
  maxDurationMs: number,
): SilenceChange {
  const errors = validateSilence(s, now, maxDurationMs);
  if (silences.some((x) => x.id === s.id)) errors.push(`id: a silence "${s.id}" exists`);
  const kept = pruneSilences(silences, now);
  const live = kept.filter((x) => window(x).end > now);
  if (live.length >= MAX_SILENCES) errors.push(`silences: at most ${MAX_SILENCES} active or pending at once`);
  else if (listBytes([...kept, s]) > MAX_SILENCE_LIST_BYTES) {
    errors.push(`silences: the list would exceed ${MAX_SILENCE_LIST_BYTES} bytes; expire some or shorten comments`);
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, silences: [...kept, s] };
}

export function expireSilence(silences: readonly Silence[], id: string, now: number): SilenceChange {
  const s = silences.find((x) => x.id === id);
  if (s === undefined) return { ok: false, errors: [`id: no silence "${id}"`] };
  const { start, end } = window(s);
  if (end <= now) return { ok: false, errors: [`id: silence "${id}" has already ended`] };
  const at = new Date(Math.max(start, now)).toISOString();
  const expired: Silence = { ...s, endsAt: at, ...(start > now ? { startsAt: at } : {}) };
  return { ok: true, silences: silences.map((x) => (x.id === id ? expired : x)) };
}

function listBytes(silences: readonly Silence[]): number {
  return JSON.stringify(silences).length;
}

/**
 * Drops silences that ended more than EXPIRED_SILENCE_KEEP_MS ago, and beyond the newest-ended
 * MAX_ENDED_SILENCES ended ones.
 */
export function pruneSilences(silences: readonly Silence[], now: number): Silence[] {
  const recent = (s: Silence): boolean => window(s).end > now - EXPIRED_SILENCE_KEEP_MS;
  const ended = silences.filter((s) => window(s).end <= now && recent(s));
  // The newest-ended first; ties keep creation order, so the choice is stable.
  const history = new Set(
    ended
      .map((s, i) => ({ s, i, end: window(s).end }))
      .sort((a, b) => b.end - a.end || a.i - b.i)
      .slice(0, MAX_ENDED_SILENCES)
      .map((x) => x.s),
  );
  return silences.filter((s) => window(s).end > now || history.has(s));
}

/** The silence stage: records `silencedBy` on every alert at `now` (a silence ending unmutes). */
export function applySilences(state: IncidentCoreState, now: number): IncidentCoreState {
  const silences = pruneSilences(state.silences, now);
  const active = activeSilences(silences, now);
  const d = new Draft(state);
  d.setSilences(silences);
  for (const a of Object.values(state.alerts)) {
    const by = a.status === 'resolved' || active.length === 0 ? undefined : silencedBy(a, active, now);
    if (by === a.silencedBy) continue;
    const { silencedBy: _drop, ...rest } = a;
    d.putAlert(by === undefined ? rest : { ...rest, silencedBy: by });
  }
  return d.done();
}

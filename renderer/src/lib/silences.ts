import {
  Matcher,
  MAX_MATCHERS,
  matcherText,
  SILENCE_MAX_COMMENT,
  SilenceRequest,
  type Alert,
  type MatcherOp,
  type OutboxItem,
  type Silence,
} from '../../../shared/protocol';
import { toIso } from '../../../shared/clock';
import { matchesAll, matchesEmpty, matchLabels } from '../../../shared/incidents/matchers';
import { formatDuration } from './time';

/**
 * "Silence alerts like this…" and the Silences view (issue 12). Matching is the collector's own
 * (shared/incidents/matchers.ts), so the dialog's "matches N alerts" is what the collector does.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The dialog's default duration: long enough to fix a flapping thing, short enough to be forgotten safely. */
export const DEFAULT_SILENCE_MS = 2 * HOUR_MS;
/**
 * The longest silence the dialog offers: the collector's default `silences.maxDuration` (7d). A
 * collector configured shorter refuses a longer one, and the outbox shows that refusal.
 */
export const MAX_SILENCE_MS = 7 * DAY_MS;

/** Labels prefilled from the alert, in this order: what it is, where, on whose service. */
export const PREFILL_LABELS = ['alertname', 'provider', 'service'] as const;

/** A matcher row in the dialog: `value` is free text until submitted. */
export interface MatcherDraft {
  name: string;
  op: MatcherOp;
  value: string;
}

/** alertname + provider + service of the alert, `=` each, skipping labels it does not carry. */
export function prefillMatchers(alert: Pick<Alert, 'ruleId' | 'labels' | 'tier'>): MatcherDraft[] {
  const labels = matchLabels(alert);
  const out: MatcherDraft[] = [];
  for (const name of PREFILL_LABELS) {
    const value = labels[name];
    if (value !== undefined && value !== '') out.push({ name, op: '=', value });
  }
  return out;
}

export type DurationUnit = 'm' | 'h' | 'd';
export const UNIT_MS: Record<DurationUnit, number> = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS };

export interface SilenceDraft {
  matchers: readonly MatcherDraft[];
  amount: number;
  unit: DurationUnit;
  comment: string;
}

export type SilenceBuild = { ok: true; request: SilenceRequest } | { ok: false; errors: string[] };

/**
 * Checks the dialog and builds the `silences.create` request: at least one matcher, each a valid
 * Matcher (label name, regex), not all matching the empty label (that would silence nearly
 * everything; the collector refuses it too), and a duration in (0, 7d].
 */
export function buildSilenceRequest(draft: SilenceDraft, nowMs: number): SilenceBuild {
  const errors: string[] = [];
  const matchers: Matcher[] = [];
  if (draft.matchers.length === 0) errors.push('Add at least one matcher.');
  if (draft.matchers.length > MAX_MATCHERS) errors.push(`At most ${MAX_MATCHERS} matchers.`);
  draft.matchers.forEach((m, i) => {
    const parsed = Matcher.safeParse({ name: m.name.trim(), op: m.op, value: m.value });
    if (parsed.success) matchers.push(parsed.data);
    else errors.push(`Matcher ${i + 1}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  });
  if (matchers.length > 0 && matchers.length === draft.matchers.length && matchers.every(matchesEmpty)) {
    errors.push('At least one matcher must need a label value; these would silence almost everything.');
  }
  const ms = draft.amount * UNIT_MS[draft.unit];
  if (!Number.isFinite(ms) || ms <= 0) errors.push('The duration must be positive.');
  else if (ms > MAX_SILENCE_MS) errors.push(`A silence lasts at most ${formatDuration(MAX_SILENCE_MS)}.`);
  if (draft.comment.length > SILENCE_MAX_COMMENT)
    errors.push(`The comment is at most ${SILENCE_MAX_COMMENT} characters.`);
  if (errors.length > 0) return { ok: false, errors };
  const parsed = SilenceRequest.safeParse({ matchers, endsAt: toIso(nowMs + ms), comment: draft.comment.trim() });
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => i.message) };
  return { ok: true, request: parsed.data };
}

/** How many of `alerts` the draft's valid matchers select (a preview in the dialog). */
export function countMatching(matchers: readonly MatcherDraft[], alerts: readonly Alert[]): number | null {
  const valid: Matcher[] = [];
  for (const m of matchers) {
    const p = Matcher.safeParse({ name: m.name.trim(), op: m.op, value: m.value });
    if (!p.success) return null;
    valid.push(p.data);
  }
  if (valid.length === 0) return null;
  return alerts.filter((a) => matchesAll(valid, matchLabels(a))).length;
}

// ---- the Silences view ----

/** Alertmanager's three states: in force, not started yet, ended. */
export type SilenceState = 'active' | 'pending' | 'expired';

export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, nowMs: number): SilenceState {
  if (Date.parse(s.endsAt) <= nowMs) return 'expired';
  if (Date.parse(s.startsAt) > nowMs) return 'pending';
  return 'active';
}

export interface SilenceGroups {
  active: Silence[];
  pending: Silence[];
  expired: Silence[];
}

/** Active ending soonest first, pending starting soonest first, expired most recent first. */
export function groupSilences(silences: readonly Silence[], nowMs: number): SilenceGroups {
  const g: SilenceGroups = { active: [], pending: [], expired: [] };
  for (const s of silences) g[silenceState(s, nowMs)].push(s);
  const at = (iso: string): number => Date.parse(iso);
  g.active.sort((a, b) => at(a.endsAt) - at(b.endsAt) || a.id.localeCompare(b.id));
  g.pending.sort((a, b) => at(a.startsAt) - at(b.startsAt) || a.id.localeCompare(b.id));
  g.expired.sort((a, b) => at(b.endsAt) - at(a.endsAt) || a.id.localeCompare(b.id));
  return g;
}

/** "ends in 1h 59m", "starts in 5m", "ended 3m ago". */
export function silenceWhen(s: Pick<Silence, 'startsAt' | 'endsAt'>, nowMs: number): string {
  switch (silenceState(s, nowMs)) {
    case 'active':
      return `ends in ${formatDuration(Date.parse(s.endsAt) - nowMs)}`;
    case 'pending':
      return `starts in ${formatDuration(Date.parse(s.startsAt) - nowMs)}`;
    case 'expired':
      return `ended ${formatDuration(nowMs - Date.parse(s.endsAt))} ago`;
  }
}

export function matchersText(s: Pick<Silence, 'matchers'>): string[] {
  return s.matchers.map(matcherText);
}

/**
 * A silence made here is listed (by `silences.list`) while its command is still in the outbox:
 * its id is the command's id. Queued/sent means the collector has not applied it yet.
 */
export function silenceSync(
  silenceId: string,
  items: readonly OutboxItem[],
  expiring: ReadonlyMap<string, string>,
): 'creating' | 'expiring' | 'refused' | null {
  const pending = (id: string | undefined): OutboxItem | undefined =>
    id === undefined ? undefined : items.find((i) => i.id === id);
  const created = pending(silenceId);
  if (created && created.kind === 'silence') {
    if (created.state === 'queued' || created.state === 'sent') return 'creating';
    if (created.state === 'conflict' || created.state === 'failed') return 'refused';
  }
  const expire = pending(expiring.get(silenceId));
  if (expire && (expire.state === 'queued' || expire.state === 'sent')) return 'expiring';
  return null;
}

import type { Alert, AlertEventKind } from '../../../shared/protocol/alert.js';
import type { CommandKind } from '../../../shared/protocol/stream.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, toIso } from '../../../shared/clock.js';
import { DEFAULT_MAX_SNOOZE_MS } from '../../../shared/escalation/schema.js';

export interface CommandInput {
  kind: CommandKind;
  note?: string;
  until?: string;
}

export type CommandOutcome =
  { ok: true; alert: Alert; kind: AlertEventKind } | { ok: false; conflict: string } | { ok: false; error: string };

/** Bounds on what a command may ask for (config). */
export interface CommandLimits {
  /** `escalation.maxSnooze`: how far ahead a snooze's `until` may be. */
  maxSnoozeMs: number;
}

export const DEFAULT_COMMAND_LIMITS: CommandLimits = { maxSnoozeMs: DEFAULT_MAX_SNOOZE_MS };

/** Pure: what a human command does to an alert at `now`. Conflicts are commands that no longer apply. */
export function applyCommand(
  alert: Alert,
  cmd: CommandInput,
  actor: string,
  now: number,
  limits: CommandLimits = DEFAULT_COMMAND_LIMITS,
): CommandOutcome {
  const at = toIso(now);
  const resolved = alert.status === 'resolved';
  switch (cmd.kind) {
    case 'ack':
      if (resolved) return { ok: false, conflict: 'alert is resolved' };
      if (alert.status === 'acknowledged') {
        return { ok: false, conflict: `alert is already acknowledged by ${alert.acknowledgedBy ?? 'someone'}` };
      }
      return {
        ok: true,
        kind: 'acknowledged',
        alert: { ...alert, status: 'acknowledged', acknowledgedBy: actor, acknowledgedAt: at, snoozedUntil: undefined },
      };
    case 'unack': {
      if (alert.status !== 'acknowledged') return { ok: false, conflict: `alert is ${alert.status}, not acknowledged` };
      const { acknowledgedBy: _by, acknowledgedAt: _at, ...rest } = alert;
      return { ok: true, kind: 'unacknowledged', alert: { ...rest, status: 'firing' } };
    }
    case 'mitigate':
      if (resolved) return { ok: false, conflict: 'alert is resolved' };
      if (alert.mitigatedAt) return { ok: false, conflict: 'alert is already mitigated' };
      return { ok: true, kind: 'mitigated', alert: { ...alert, mitigatedAt: at } };
    case 'resolve':
      if (resolved) return { ok: false, conflict: 'alert is resolved' };
      return {
        ok: true,
        kind: 'resolved',
        alert: withoutUndefined({ ...alert, status: 'resolved', resolvedAt: at, snoozedUntil: undefined }),
      };
    case 'snooze': {
      if (resolved) return { ok: false, conflict: 'alert is resolved' };
      const until = snoozeUntil(cmd, now, limits);
      if (typeof until === 'string') return { ok: false, error: until };
      return { ok: true, kind: 'snoozed', alert: { ...alert, status: 'snoozed', snoozedUntil: toIso(until) } };
    }
    case 'escalate':
      // Escalation is per incident (issue 12): IncidentCommands routes it there.
      if (resolved) return { ok: false, conflict: 'alert is resolved' };
      return { ok: false, conflict: 'this alert belongs to no incident, so it has no escalation' };
    case 'comment':
      if (!cmd.note?.trim()) return { ok: false, error: 'comment needs a `note`' };
      return { ok: true, kind: 'commented', alert };
    case 'override':
    case 'remove-override':
    case 'silence':
    case 'expire-silence':
    case 'pulse':
    case 'postmortem-draft':
    case 'postmortem-edit':
    case 'action-item':
    case 'review-mark':
      // Routed before here: overrides to the rotation, silences to the incident core, pulses to health,
      // postmortems to theirs.
      return { ok: false, error: `${cmd.kind} is not an alert command` };
  }
}

/** A snooze's `until` as epoch ms, or why it is refused (past, unparsable, beyond escalation.maxSnooze). */
export function snoozeUntil(cmd: { until?: string }, now: number, limits: CommandLimits): number | string {
  if (!cmd.until) return 'snooze needs `until`';
  const until = Date.parse(cmd.until);
  if (!Number.isFinite(until)) return '`until` is not a valid time';
  if (until <= now) return '`until` is in the past';
  if (until - now > limits.maxSnoozeMs) {
    return (
      `\`until\` is more than ${formatDuration(limits.maxSnoozeMs)} ahead; ` +
      `snoozes are limited to ${formatDuration(limits.maxSnoozeMs)} (escalation.maxSnooze)`
    );
  }
  return until;
}

/** "7d", "36h", "90m", "45s": the largest whole unit, as the config writes durations. */
function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', DAY_MS],
    ['h', HOUR_MS],
    ['m', MINUTE_MS],
    ['s', 1_000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Keeps stored JSON free of `"x": undefined` holes left by spreads. */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

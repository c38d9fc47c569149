import type { Alert, AlertEventKind } from '../../../shared/protocol/alert.js';
import type { CommandKind } from '../../../shared/protocol/stream.js';
import { toIso } from '../../../shared/clock.js';

/** Escalation targets by level; the real policy (ack SLA, rotation) arrives with the escalation issue. */
const ESCALATION_TARGETS = ['primary', 'secondary', 'model-owner'] as const;

export interface CommandInput {
  kind: CommandKind;
  note?: string;
  until?: string;
}

export type CommandOutcome =
  { ok: true; alert: Alert; kind: AlertEventKind } | { ok: false; conflict: string } | { ok: false; error: string };

/** Pure: what a human command does to an alert at `now`. Conflicts are commands that no longer apply. */
export function applyCommand(alert: Alert, cmd: CommandInput, actor: string, now: number): CommandOutcome {
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
      if (!cmd.until) return { ok: false, error: 'snooze needs `until`' };
      if (Date.parse(cmd.until) <= now) return { ok: false, error: '`until` is in the past' };
      return {
        ok: true,
        kind: 'snoozed',
        alert: { ...alert, status: 'snoozed', snoozedUntil: toIso(Date.parse(cmd.until)) },
      };
    }
    case 'escalate': {
      if (resolved) return { ok: false, conflict: 'alert is resolved' };
      const level = (alert.escalation?.level ?? 1) + 1;
      const target = ESCALATION_TARGETS[Math.min(level, ESCALATION_TARGETS.length) - 1] ?? 'model-owner';
      return { ok: true, kind: 'escalated', alert: { ...alert, escalation: { level, target, dueAt: at } } };
    }
    case 'comment':
      if (!cmd.note?.trim()) return { ok: false, error: 'comment needs a `note`' };
      return { ok: true, kind: 'commented', alert };
    case 'override':
      // Rotation overrides are routed to the rotation (electron/collector/rotation) before here.
      return { ok: false, error: 'override is a rotation command, not an alert command' };
  }
}

/** Keeps stored JSON free of `"x": undefined` holes left by spreads. */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

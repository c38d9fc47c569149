import { z } from 'zod';
import { toIso } from '../clock.js';
import type { Escalation, Tier } from '../protocol/alert.js';
import { nextChange, whoIsOnCall } from '../rotation/rotation.js';
import type { RotationConfig } from '../rotation/schema.js';
import { ackSla } from './business-hours.js';
import type { BusinessHours, TierPolicy } from './schema.js';

/**
 * The escalation state of one page, as a pure value: every deadline is an absolute epoch ms,
 * so the collector persists it and a restart resumes exactly where it stopped.
 * Transitions take `now` as an argument; nothing here reads a clock.
 */

export const PagePhase = z.enum(['ringing', 'acknowledged', 'snoozed', 'resolved']);
export type PagePhase = z.infer<typeof PagePhase>;

const Ms = z.number().int();
export const PageState = z.object({
  tier: z.enum(['page', 'ticket', 'review']),
  phase: PagePhase,
  /** 1-based index into the tier's `levels`. */
  level: z.number().int().positive(),
  /** Who holds the page at this level right now. */
  target: z.string(),
  /** When the current level's ack clock started. */
  levelSince: Ms,
  escalateAt: Ms.nullable(),
  notifyAt: Ms.nullable(),
  snoozeUntil: Ms.nullable(),
  /** Next rotation change, while the level's holder comes from the rotation. */
  retargetAt: Ms.nullable(),
  /** Notifications sent at this level (the first one pages, later ones re-notify). */
  notifications: z.number().int().nonnegative(),
});
export type PageState = z.infer<typeof PageState>;

export interface EscalationContext {
  policy: TierPolicy;
  businessHours: BusinessHours;
  rotation?: RotationConfig | undefined;
}

export type StepKind = 'notified' | 'escalated' | 'retargeted' | 'snooze-ended';

/** One automatic step, due at `dueAt`; `state` is the page after it. */
export interface Step {
  kind: StepKind;
  dueAt: number;
  state: PageState;
  /** For the timeline: who was notified and why. */
  note: string;
}

/** Whether the holder of `level` comes from the rotation (and so changes at handoff). */
function rotates(ctx: EscalationContext, level: number): boolean {
  const t = ctx.policy.levels[level - 1];
  return ctx.rotation !== undefined && (t === 'primary' || t === 'secondary');
}

/** The person paged at `level` at `atMs`. Without a rotation the role name stands in for the person. */
export function targetFor(ctx: EscalationContext, level: number, atMs: number): string {
  const t = ctx.policy.levels[Math.min(level, ctx.policy.levels.length) - 1] ?? 'primary';
  if (typeof t === 'object') return t.user;
  if (t === 'escalation-contact') return ctx.rotation?.escalationContact ?? 'escalation-contact';
  return ctx.rotation ? whoIsOnCall(ctx.rotation, atMs)[t] : t;
}

function lastLevel(ctx: EscalationContext): number {
  return ctx.policy.levels.length;
}

/** Starts (or restarts) the ack clock of `level` at `at`: notify now, escalate after the SLA. */
function ring(ctx: EscalationContext, s: PageState, level: number, at: number): PageState {
  return {
    ...s,
    phase: 'ringing',
    level,
    target: targetFor(ctx, level, at),
    levelSince: at,
    escalateAt: level < lastLevel(ctx) ? at + ackSla(ctx.policy, ctx.businessHours, at) : null,
    notifyAt: at,
    snoozeUntil: null,
    retargetAt: rotates(ctx, level) && ctx.rotation ? nextChange(ctx.rotation, at) : null,
    notifications: 0,
  };
}

const QUIET = { escalateAt: null, notifyAt: null, snoozeUntil: null, retargetAt: null } as const;

/** A page fired at `now`: level 1 is notified at once. */
export function openPage(ctx: EscalationContext, tier: Tier, now: number): PageState {
  const blank: PageState = {
    tier,
    phase: 'ringing',
    level: 1,
    target: '',
    levelSince: now,
    ...QUIET,
    notifications: 0,
  };
  return ring(ctx, blank, 1, now);
}

export function acknowledge(s: PageState): PageState {
  return { ...s, phase: 'acknowledged', ...QUIET };
}

/** Unacknowledge restarts the clock of the current level. */
export function unacknowledge(ctx: EscalationContext, s: PageState, now: number): PageState {
  return ring(ctx, s, s.level, now);
}

export function snooze(s: PageState, until: number): PageState {
  return { ...s, phase: 'snoozed', ...QUIET, snoozeUntil: until };
}

export function resolve(s: PageState): PageState {
  return { ...s, phase: 'resolved', ...QUIET };
}

/** Manual escalate: the next level is paged at once; undefined when already at the last level. */
export function escalateNow(ctx: EscalationContext, s: PageState, now: number): PageState | undefined {
  if (s.phase === 'resolved' || s.level >= lastLevel(ctx)) return undefined;
  return ring(ctx, s, s.level + 1, now);
}

/** The earliest due time of the page, or null when nothing will happen on its own. */
export function nextDeadline(s: PageState): number | null {
  const due = [s.snoozeUntil, s.escalateAt, s.retargetAt, s.notifyAt].filter((t): t is number => t !== null);
  return due.length ? Math.min(...due) : null;
}

/**
 * Takes the earliest step due at or before `now`, or undefined when none is. Ties go
 * snooze end → escalation → handoff → notification, so an escalation replaces the
 * re-notification of the level it leaves. Call repeatedly to catch up after downtime.
 */
export function step(ctx: EscalationContext, s: PageState, now: number): Step | undefined {
  const due = nextDeadline(s);
  if (due === null || due > now) return undefined;
  if (s.snoozeUntil === due) {
    const next = ring(ctx, s, s.level, due);
    return notify(ctx, { ...next, notifications: 0 }, due, now, 'snooze-ended', 'snooze ended');
  }
  if (s.escalateAt === due) {
    const next = ring(ctx, s, s.level + 1, due);
    return notify(ctx, next, due, now, 'escalated', `escalated to level ${next.level}`);
  }
  if (s.retargetAt === due && ctx.rotation) {
    const target = targetFor(ctx, s.level, due);
    const retargetAt = nextChange(ctx.rotation, due);
    if (target === s.target)
      return { kind: 'retargeted', dueAt: due, state: { ...s, retargetAt }, note: 'handoff: same holder' };
    return notify(
      ctx,
      { ...s, target, retargetAt, notifications: 0 },
      due,
      now,
      'retargeted',
      `handoff from ${s.target}`,
    );
  }
  return notify(ctx, s, due, now, 'notified', s.notifications === 0 ? 'paged' : 're-notified');
}

function notify(ctx: EscalationContext, s: PageState, due: number, now: number, kind: StepKind, why: string): Step {
  // Re-notifications missed while the collector was down collapse into this one.
  let notifyAt = due + ctx.policy.renotifyEvery;
  if (notifyAt <= now) notifyAt = now + ctx.policy.renotifyEvery;
  return {
    kind,
    dueAt: due,
    state: { ...s, notifyAt, notifications: s.notifications + 1 },
    note: `${why}: ${s.target} (level ${s.level})`,
  };
}

/** What `Alert.escalation` carries: the holder now and, while ringing, the next level's deadline and target. */
export function escalationView(ctx: EscalationContext, s: PageState): Escalation {
  const ringing = s.phase === 'ringing' && s.escalateAt !== null;
  return {
    level: s.level,
    target: s.target,
    dueAt: toIso(ringing && s.escalateAt !== null ? s.escalateAt : s.levelSince),
    ...(ringing && s.escalateAt !== null ? { nextTarget: targetFor(ctx, s.level + 1, s.escalateAt) } : {}),
  };
}

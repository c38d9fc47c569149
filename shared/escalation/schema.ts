import { z } from 'zod';
import { Duration } from '../config/duration.js';
import { CalendarDate, TimeZone, WallTime, Weekday } from '../rotation/schema.js';

/** Defaults from the field notes: re-notify every 5 min; ack within 30 min in business hours, 2 h outside. */
export const ESCALATION_DEFAULTS = {
  renotifyEveryMs: 5 * 60_000,
  ackSlaBusinessMs: 30 * 60_000,
  ackSlaOutsideMs: 2 * 3_600_000,
} as const;

/** Shorter than this and a misconfigured policy becomes a notification storm. */
const MIN_STEP_MS = 1_000;
const Step = Duration.refine((ms) => ms >= MIN_STEP_MS, `must be at least ${MIN_STEP_MS} ms`);

/**
 * Who a level pages: a rotation role (resolved at the moment it is paged), the escalation
 * contact of the rotation, or a fixed person.
 */
export const LevelTarget = z.union([
  z.enum(['primary', 'secondary', 'escalation-contact']),
  z.strictObject({ user: z.string().min(1) }),
]);
export type LevelTarget = z.infer<typeof LevelTarget>;

export const TierPolicy = z.strictObject({
  renotifyEvery: Step.default(ESCALATION_DEFAULTS.renotifyEveryMs),
  ackSla: z
    .strictObject({
      businessHours: Step.default(ESCALATION_DEFAULTS.ackSlaBusinessMs),
      outsideHours: Step.default(ESCALATION_DEFAULTS.ackSlaOutsideMs),
    })
    .prefault({}),
  /** Level 1 first; each unacknowledged ack SLA moves to the next. */
  levels: z.array(LevelTarget).min(1).max(10).default(['primary', 'secondary', 'escalation-contact']),
});
export type TierPolicy = z.output<typeof TierPolicy>;

export const BusinessHours = z
  .strictObject({
    timeZone: TimeZone.default('UTC'),
    days: z.array(Weekday).default(['monday', 'tuesday', 'wednesday', 'thursday', 'friday']),
    start: WallTime.default('09:00'),
    end: WallTime.default('17:00'),
    /** Dates (in `timeZone`) that count as outside business hours all day. */
    holidays: z.array(CalendarDate).default([]),
  })
  .refine((b) => b.end > b.start, { message: '`end` must be after `start`', path: ['end'] });
export type BusinessHours = z.output<typeof BusinessHours>;

/** Default of `escalation.maxSnooze` (issue 11): a snooze until the year 9999 silenced an alert for good. */
export const DEFAULT_MAX_SNOOZE_MS = 7 * 24 * 3_600_000;

export const EscalationConfig = z.strictObject({
  /** The longest a `snooze` command may silence an alert; longer ones are refused with an error. */
  maxSnooze: Duration.refine((ms) => ms > 0, 'maxSnooze must be positive').default(DEFAULT_MAX_SNOOZE_MS),
  /** Tiers with a policy escalate; by default only pages do (tickets and reviews are never rung). */
  tiers: z
    .strictObject({ page: TierPolicy.prefault({}), ticket: TierPolicy.optional(), review: TierPolicy.optional() })
    .prefault({}),
  businessHours: BusinessHours.prefault({}),
  /** Whether an alert resolves when its rule's condition clears, or waits for a person. */
  autoResolve: z
    .strictObject({ default: z.boolean().default(true), rules: z.record(z.string(), z.boolean()).default({}) })
    .prefault({}),
});
export type EscalationConfig = z.output<typeof EscalationConfig>;

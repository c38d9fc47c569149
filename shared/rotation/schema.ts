import { z } from 'zod';
import { IANAZone } from 'luxon';

/** "HH:mm", 24-hour wall-clock time in the rotation's time zone. */
export const WallTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time like "09:00"');
/** "YYYY-MM-DD", a calendar date in the rotation's time zone. */
export const CalendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like "2025-03-31"');
export const TimeZone = z
  .string()
  .refine((tz) => IANAZone.isValidZone(tz), 'expected an IANA time zone like "Europe/Berlin"');

const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;
/** Luxon's ISO weekday number: monday = 1 … sunday = 7. */
export function weekdayNumber(day: Weekday): number {
  return WEEKDAYS.indexOf(day) + 1;
}

export const ShiftRole = z.enum(['primary', 'secondary']);
export type ShiftRole = z.infer<typeof ShiftRole>;

const IsoTime = z.iso.datetime({ offset: true });

/** One person covers a role for a time range (sick day, a dentist appointment). Later entries win over earlier ones. */
export const Override = z
  .strictObject({ role: ShiftRole.default('primary'), user: z.string().min(1), from: IsoTime, to: IsoTime })
  .refine((o) => Date.parse(o.to) > Date.parse(o.from), { message: '`to` must be after `from`', path: ['to'] });

/** Two weekly shifts trade their holders for one role; a shift is named by the date its handoff falls on. */
export const Swap = z.strictObject({
  role: ShiftRole.default('primary'),
  weeks: z.tuple([CalendarDate, CalendarDate]),
});

export const RotationConfig = z.strictObject({
  timeZone: TimeZone.default('UTC'),
  handoff: z.strictObject({ day: Weekday.default('monday'), time: WallTime.default('09:00') }).prefault({}),
  /** The first shift starts at the first handoff on or after this date; earlier times count backwards. */
  start: CalendarDate.default('2024-01-01'),
  /** Week k: primary = roster[k mod n], secondary = roster[(k + 1) mod n]. */
  roster: z.array(z.string().min(1)).min(1, 'the roster needs at least one person'),
  overrides: z.array(Override).default([]),
  swaps: z.array(Swap).default([]),
  /** Level 3 of every escalation: who owns the model / the escalation contact. */
  escalationContact: z.string().min(1).optional(),
});
export type RotationConfig = z.output<typeof RotationConfig>;
export type RotationConfigInput = z.input<typeof RotationConfig>;

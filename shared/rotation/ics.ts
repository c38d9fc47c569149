import { ICalCalendar } from 'ical-generator';
import type { RotationConfig } from './schema.js';
import { roleShifts, type RoleShift } from './role-shifts.js';

/**
 * The rotation as an RFC 5545 calendar (`GET /v1/rotation.ics`, and the view's export button,
 * built from the cached rotation so it works offline): one VEVENT per weekly shift and role
 * (cut where an override starts or ends). Times are UTC (`…Z`), so no VTIMEZONE is needed and a
 * DST week simply is 167 or 169 hours long; the team's zone is named in X-WR-TIMEZONE.
 * Pure string building: no I/O, no clock (the caller passes `generatedAtMs`).
 */

/** PRODID `-//Vigil//Rotation//EN`. */
const PRODID = { company: 'Vigil', product: 'Rotation', language: 'EN' } as const;
/** Right of the `@` in every UID: the UID's left side names the piece (its start and role). */
export const ICS_UID_DOMAIN = 'rotation.vigil';

export interface RotationIcsOptions {
  /** Only this person's shifts (`?user=`); every shift when absent. */
  user?: string;
  /** DTSTAMP of every event: when the feed was generated. */
  generatedAtMs: number;
  /** Who made each desktop override, by its index in `rot.overrides` (shown in the description). */
  overrideBy?: (overrideIndex: number) => string | undefined;
}

/** Stable between fetches: a piece is named by where it starts and which role it is. */
export function shiftUid(s: Pick<RoleShift, 'startMs' | 'role'>): string {
  const stamp = new Date(s.startMs).toISOString().replace(/[-:]|\.\d{3}/g, '');
  return `${stamp}-${s.role}@${ICS_UID_DOMAIN}`;
}

function describe(s: RoleShift, opts: RotationIcsOptions): string {
  if (s.via === 'override') {
    const by = opts.overrideBy?.(s.overrideIndex);
    return `Override${by !== undefined ? ` made by ${by}` : ''}: ${s.user} covers ${s.role}.`;
  }
  if (s.via === 'swap') return `Swapped shift: ${s.user} is ${s.role}.`;
  return `${s.user} is ${s.role} on call.`;
}

export function rotationIcs(rot: RotationConfig, fromMs: number, toMs: number, opts: RotationIcsOptions): string {
  const cal = new ICalCalendar({
    prodId: PRODID,
    name: opts.user !== undefined ? `On call: ${opts.user}` : 'On-call rotation',
    x: [{ key: 'X-WR-TIMEZONE', value: rot.timeZone }],
  });
  for (const s of roleShifts(rot, fromMs, toMs)) {
    if (opts.user !== undefined && s.user !== opts.user) continue;
    cal.createEvent({
      id: shiftUid(s),
      start: new Date(s.startMs),
      end: new Date(s.endMs),
      stamp: new Date(opts.generatedAtMs),
      summary: `${s.user} (${s.role})`,
      description: describe(s, opts),
      categories: [{ name: s.role }],
    });
  }
  return cal.toString();
}

import { DateTime } from 'luxon';
import { weekdayNumber, type RotationConfig, type ShiftRole } from './schema.js';

/**
 * Weekly on-call rotation: who is primary and secondary at any instant.
 * Shifts change at the handoff wall-clock time in the team's zone, so a DST week is 167 or 169
 * hours long rather than moving the handoff by an hour. Pure: time comes in as epoch ms.
 */

export interface OnCall {
  primary: string;
  secondary: string;
}

/** A stretch of time with one primary and one secondary; `shifts()` covers a range with these, without gaps or overlaps. */
export interface Shift extends OnCall {
  startMs: number;
  endMs: number;
}

const WEEK_MS = 7 * 24 * 3_600_000;

function localDate(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toISODate() ?? '';
}

/** The handoff instant that starts week `k` (week 0 is the first handoff on or after `start`). */
export function handoffAt(rot: RotationConfig, k: number): number {
  const [hour, minute] = rot.handoff.time.split(':').map(Number);
  const startDay = DateTime.fromISO(rot.start, { zone: rot.timeZone });
  const first = startDay.plus({ days: (weekdayNumber(rot.handoff.day) - startDay.weekday + 7) % 7 });
  // Date arithmetic on the calendar, then the wall time: DST shifts never move the handoff.
  const day = first.plus({ weeks: k });
  return DateTime.fromObject(
    { year: day.year, month: day.month, day: day.day, hour, minute },
    { zone: rot.timeZone },
  ).toMillis();
}

/** Index of the weekly shift holding `atMs` (negative before the first handoff). */
export function weekIndex(rot: RotationConfig, atMs: number): number {
  let k = Math.floor((atMs - handoffAt(rot, 0)) / WEEK_MS);
  while (handoffAt(rot, k) > atMs) k -= 1;
  while (handoffAt(rot, k + 1) <= atMs) k += 1;
  return k;
}

function rosterAt(rot: RotationConfig, k: number, role: ShiftRole): string {
  const n = rot.roster.length;
  const i = (((k + (role === 'secondary' ? 1 : 0)) % n) + n) % n;
  return rot.roster[i] ?? '';
}

/** The scheduled holder of `role` in week `k`, after swaps but before overrides. */
function weeklyHolder(rot: RotationConfig, k: number, role: ShiftRole): string {
  const date = localDate(handoffAt(rot, k), rot.timeZone);
  for (let i = rot.swaps.length - 1; i >= 0; i--) {
    const s = rot.swaps[i];
    if (!s || s.role !== role) continue;
    const [a, b] = s.weeks;
    const other = date === a ? b : date === b ? a : undefined;
    if (other === undefined) continue;
    const [h, m] = rot.handoff.time.split(':').map(Number);
    const otherStart = DateTime.fromISO(other, { zone: rot.timeZone }).set({ hour: h, minute: m }).toMillis();
    return rosterAt(rot, weekIndex(rot, otherStart), role);
  }
  return rosterAt(rot, k, role);
}

/** Why someone holds a role: the roster's turn, a swap of two weeks, or an override (its index in `rot.overrides`). */
export type HolderVia = { via: 'roster' } | { via: 'swap' } | { via: 'override'; overrideIndex: number };
export type Holder = HolderVia & { user: string };

/** Who holds `role` at `atMs` and why (the calendar shows overrides and swaps apart from the roster). */
export function holderAt(rot: RotationConfig, atMs: number, role: ShiftRole, k = weekIndex(rot, atMs)): Holder {
  for (let i = rot.overrides.length - 1; i >= 0; i--) {
    const o = rot.overrides[i];
    if (o && o.role === role && Date.parse(o.from) <= atMs && atMs < Date.parse(o.to)) {
      return { user: o.user, via: 'override', overrideIndex: i };
    }
  }
  const user = weeklyHolder(rot, k, role);
  return { user, via: user === rosterAt(rot, k, role) ? 'roster' : 'swap' };
}

function holder(rot: RotationConfig, atMs: number, k: number, role: ShiftRole): string {
  return holderAt(rot, atMs, role, k).user;
}

export function whoIsOnCall(rot: RotationConfig, atMs: number): OnCall {
  const k = weekIndex(rot, atMs);
  return { primary: holder(rot, atMs, k, 'primary'), secondary: holder(rot, atMs, k, 'secondary') };
}

/** The next instant after `atMs` at which who is on call may change (a handoff or an override edge). */
export function nextChange(rot: RotationConfig, atMs: number): number {
  let next = handoffAt(rot, weekIndex(rot, atMs) + 1);
  for (const o of rot.overrides) {
    for (const edge of [Date.parse(o.from), Date.parse(o.to)]) if (edge > atMs && edge < next) next = edge;
  }
  return next;
}

/** Who is on call over [fromMs, toMs), as consecutive segments; neighbours always differ. */
export function shifts(rot: RotationConfig, fromMs: number, toMs: number): Shift[] {
  const out: Shift[] = [];
  for (let start = fromMs; start < toMs;) {
    const end = Math.min(nextChange(rot, start), toMs);
    const who = whoIsOnCall(rot, start);
    const last = out[out.length - 1];
    if (last && last.primary === who.primary && last.secondary === who.secondary) last.endMs = end;
    else out.push({ startMs: start, endMs: end, ...who });
    start = end;
  }
  return out;
}

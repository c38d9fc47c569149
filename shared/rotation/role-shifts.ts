import type { ShiftRole } from './schema.js';
import type { RotationConfig } from './schema.js';
import { handoffAt, holderAt, nextChange, weekIndex, type HolderVia } from './rotation.js';

/**
 * One person holding one role without a break inside one weekly shift: what the calendar draws
 * and the iCal feed sends as one VEVENT. A weekly shift is cut where an override starts or ends,
 * never merged across a handoff, so each week's handoff stays visible.
 */
export type RoleShift = HolderVia & {
  role: ShiftRole;
  user: string;
  startMs: number;
  endMs: number;
  /** Start of the weekly shift this piece belongs to (its handoff instant). */
  shiftStartMs: number;
};

export const ROLES: readonly ShiftRole[] = ['primary', 'secondary'];

function sameHolder(a: HolderVia & { user: string }, b: HolderVia & { user: string }): boolean {
  if (a.user !== b.user || a.via !== b.via) return false;
  return a.via !== 'override' || (b.via === 'override' && a.overrideIndex === b.overrideIndex);
}

/** Both roles over [fromMs, toMs), ordered by start then role; each role's pieces tile the range. */
export function roleShifts(rot: RotationConfig, fromMs: number, toMs: number): RoleShift[] {
  const out: RoleShift[] = [];
  const last = new Map<ShiftRole, RoleShift>();
  for (let start = fromMs; start < toMs;) {
    const end = Math.min(nextChange(rot, start), toMs);
    const k = weekIndex(rot, start);
    const shiftStartMs = handoffAt(rot, k);
    for (const role of ROLES) {
      const h = holderAt(rot, start, role, k);
      const prev = last.get(role);
      if (prev && prev.endMs === start && prev.shiftStartMs === shiftStartMs && sameHolder(prev, h)) {
        prev.endMs = end;
        continue;
      }
      const piece: RoleShift = { ...h, role, startMs: start, endMs: end, shiftStartMs };
      out.push(piece);
      last.set(role, piece);
    }
    start = end;
  }
  return out.sort((a, b) => a.startMs - b.startMs || ROLES.indexOf(a.role) - ROLES.indexOf(b.role));
}

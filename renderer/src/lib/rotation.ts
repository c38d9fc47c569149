import { DateTime } from 'luxon';
import type { CachedRotation, RotationChange, RotationOverride, StoredOverride } from '../../../shared/protocol';
import { roleShifts, type RoleShift } from '../../../shared/rotation/role-shifts';
import { handoffAt, weekIndex, whoIsOnCall } from '../../../shared/rotation/rotation';
import type { RotationConfig, ShiftRole } from '../../../shared/rotation/schema';

/**
 * The rotation calendar's pure side: who holds what when, in the viewer's zone, with each
 * override's origin (config file, made from a desktop and by whom, or still in this desktop's
 * outbox). Everything takes `now` and the zone as arguments (tests pass them).
 */

/** Where an override of the previewed rotation comes from. */
export type OverrideOrigin =
  | { source: 'config' }
  | { source: 'desktop'; stored: StoredOverride }
  | { source: 'pending'; change: RotationChange & { override: RotationOverride } };

export interface Preview {
  rot: RotationConfig;
  /** Parallel to `rot.overrides`. */
  origins: OverrideOrigin[];
}

/** Not yet applied: queued or sent (refused ones are listed with their reason, not drawn). */
function pending(c: RotationChange): boolean {
  return c.state === 'queued' || c.state === 'sent';
}

/**
 * The rotation as it will be once this desktop's outbox is applied: pending overrides appended
 * (later wins, as on the collector), overrides with a pending removal left out. Offline edits
 * show on the calendar at once, marked pending.
 */
export function previewRotation(cached: CachedRotation | null, changes: readonly RotationChange[]): Preview | null {
  const rot = cached?.view.rotation;
  if (!cached || !rot) return null;
  const stored = cached.view.overrides;
  const configCount = rot.overrides.length - stored.length;
  const removing = new Set(changes.filter((c) => pending(c) && c.kind === 'remove-override').map((c) => c.overrideId));
  const overrides: RotationConfig['overrides'] = [];
  const origins: OverrideOrigin[] = [];
  rot.overrides.forEach((o, i) => {
    const s = i >= configCount ? stored[i - configCount] : undefined;
    if (s && removing.has(s.commandId)) return;
    overrides.push(o);
    origins.push(s ? { source: 'desktop', stored: s } : { source: 'config' });
  });
  for (const c of changes) {
    if (!pending(c) || c.kind !== 'override' || !c.override || removing.has(c.id)) continue;
    const { role, user, from, to } = c.override;
    overrides.push({ role, user, from, to });
    origins.push({ source: 'pending', change: { ...c, override: c.override } });
  }
  return { rot: { ...rot, overrides }, origins };
}

/** A piece with its override's origin (undefined for roster turns and swaps of the config). */
export type CalendarPiece = RoleShift & { origin?: OverrideOrigin };

export function calendarPieces(p: Preview, fromMs: number, toMs: number): CalendarPiece[] {
  return roleShifts(p.rot, fromMs, toMs).map((s) => {
    if (s.via !== 'override') return s;
    const origin = p.origins[s.overrideIndex];
    return origin ? { ...s, origin } : s;
  });
}

/** How a piece is labelled: roster, "override by bob", "swap by bob", "pending". */
export function pieceKind(p: CalendarPiece): 'roster' | 'override' | 'swap' | 'pending' {
  if (p.via === 'swap') return 'swap';
  if (p.via !== 'override') return 'roster';
  if (p.origin?.source === 'pending') return 'pending';
  if (p.origin?.source === 'desktop' && p.origin.stored.swapId !== undefined) return 'swap';
  return 'override';
}

export function pieceBy(p: CalendarPiece): string | undefined {
  if (p.origin?.source === 'desktop') return p.origin.stored.by;
  return undefined;
}

/** The days (viewer's zone) of the week holding `atMs`, Monday first, as [startMs, endMs). */
export function weekDays(atMs: number, zone: string): Array<{ startMs: number; endMs: number; label: string }> {
  const monday = DateTime.fromMillis(atMs, { zone }).startOf('week');
  return Array.from({ length: 7 }, (_, i) => {
    const d = monday.plus({ days: i });
    return { startMs: d.toMillis(), endMs: d.plus({ days: 1 }).toMillis(), label: d.toFormat('ccc d LLL') };
  });
}

/** The month grid (viewer's zone) holding `atMs`: whole weeks, Monday first. */
export function monthDays(
  atMs: number,
  zone: string,
): Array<{ startMs: number; endMs: number; label: string; inMonth: boolean }> {
  const first = DateTime.fromMillis(atMs, { zone }).startOf('month');
  const start = first.startOf('week');
  const end = first.endOf('month').endOf('week');
  const out = [];
  for (let d = start; d < end; d = d.plus({ days: 1 })) {
    out.push({
      startMs: d.toMillis(),
      endMs: d.plus({ days: 1 }).toMillis(),
      label: String(d.day),
      inMonth: d.month === first.month,
    });
  }
  return out;
}

/** "Mon 10:00" in `zone`, with the date when it is not within the next 6 days. */
export function shortWhen(ms: number, nowMs: number, zone: string): string {
  const d = DateTime.fromMillis(ms, { zone });
  return Math.abs(ms - nowMs) < 6 * 86_400_000 ? d.toFormat('ccc HH:mm') : d.toFormat('ccc d LLL HH:mm');
}

export function hhmm(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('HH:mm');
}

/** How far the top bar looks for this user's next shift. */
export const NEXT_SHIFT_HORIZON_WEEKS = 26;

/**
 * The top bar's line: "You are primary until Mon 10:00", "Next shift: secondary from Mon 6 Apr
 * 10:00", or null when the user has no shift in the horizon (or no rotation is cached).
 */
export function myShiftLine(
  cached: CachedRotation | null,
  user: string,
  nowMs: number,
  zone: string,
): { text: string; current: boolean } | null {
  const rot = cached?.view.rotation;
  if (!rot) return null;
  const to = handoffAt(rot, weekIndex(rot, nowMs) + NEXT_SHIFT_HORIZON_WEEKS);
  const mine = roleShifts(rot, nowMs, to).filter((p) => p.user === user);
  const first = mine[0];
  if (!first) return null;
  // Join consecutive pieces of the same role (an override split, the next week of the same person).
  let end = first.endMs;
  for (const p of mine) if (p.role === first.role && p.startMs === end) end = p.endMs;
  if (first.startMs <= nowMs) {
    return { text: `You are ${first.role} until ${shortWhen(end, nowMs, zone)}`, current: true };
  }
  return { text: `Next shift: ${first.role} from ${shortWhen(first.startMs, nowMs, zone)}`, current: false };
}

/**
 * A page's holder with a name and the role it holds now: the collector names the person when it
 * has a rotation; without one it names the role, and the cached rotation supplies the person.
 */
export function holderLabel(
  target: string,
  cached: CachedRotation | null,
  nowMs: number,
): { name: string; role?: ShiftRole } {
  const rot = cached?.view.rotation;
  if (!rot) return { name: target };
  const on = whoIsOnCall(rot, nowMs);
  if (target === 'primary' || target === 'secondary') return { name: on[target], role: target };
  if (on.primary === target) return { name: target, role: 'primary' };
  if (on.secondary === target) return { name: target, role: 'secondary' };
  return { name: target };
}

export function holderText(target: string, cached: CachedRotation | null, nowMs: number): string {
  const h = holderLabel(target, cached, nowMs);
  return h.role ? `${h.name} (${h.role})` : h.name;
}

/** "datetime-local" input value (viewer's zone) ↔ ISO UTC. */
export function toLocalInput(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}
export function fromLocalInput(value: string, zone: string): string | null {
  const d = DateTime.fromISO(value, { zone });
  return d.isValid ? (d.toUTC().toISO() ?? null) : null;
}

/** The viewer's IANA zone (the browser's). */
export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

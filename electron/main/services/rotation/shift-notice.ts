import { DateTime } from 'luxon';
import { HOUR_MS, MINUTE_MS, systemClock, type Clock } from '../../../../shared/clock.js';
import type { Incident } from '../../../../shared/protocol/incident.js';
import type { CachedRotation } from '../../../../shared/protocol/rotation.js';
import { roleShifts } from '../../../../shared/rotation/role-shifts.js';
import type { Notifier } from '../notifier/index.js';
import { silentLogger, systemTimers, type Logger, type Timers } from '../runtime.js';

/** Default lead of the "your shift starts soon" notice (option `shiftNotice.leadMs`). */
export const DEFAULT_SHIFT_NOTICE_LEAD_MS = 30 * MINUTE_MS;
/** How far ahead shifts are looked up; the timer re-plans at least this often (sleep, clock jumps, new overrides). */
export const SHIFT_NOTICE_HORIZON_MS = 24 * HOUR_MS;
/** Margin of the shift look-up past the notice window (a weekly shift and a day). */
const RUN_MARGIN_MS = 8 * 24 * HOUR_MS;
/** Open incidents named in a notice at most (the rest are counted). */
export const SHIFT_NOTICE_MAX_NAMED = 3;

export type ShiftNoticeKind = 'soon' | 'start' | 'end';

/** One notice to give: before a shift of this user starts, when it starts (handoff to them), when it ends. */
export interface PlannedNotice {
  kind: ShiftNoticeKind;
  atMs: number;
  role: 'primary' | 'secondary';
  startMs: number;
  endMs: number;
}

/**
 * Notices due in (afterMs, untilMs] for `user`: pieces of their shifts from the cached rotation
 * (overrides and swaps included, DST-correct like the collector). Consecutive pieces of the
 * same role join, so an override splitting a week does not announce a handoff that is none.
 */
export function plannedNotices(
  cached: CachedRotation | null,
  user: string,
  afterMs: number,
  untilMs: number,
  leadMs: number,
): PlannedNotice[] {
  const rot = cached?.view.rotation;
  if (!rot) return [];
  // Look a week and a lead past both ends, so a run's real start and end are seen (not the window's edges).
  const lo = afterMs - leadMs - RUN_MARGIN_MS;
  const hi = untilMs + leadMs + RUN_MARGIN_MS;
  const pieces = roleShifts(rot, lo, hi).filter((p) => p.user === user);
  const runs: PlannedNotice[] = [];
  for (const p of pieces) {
    const prev = runs.findLast((r) => r.role === p.role);
    if (prev && prev.endMs === p.startMs) prev.endMs = p.endMs;
    else runs.push({ kind: 'start', atMs: p.startMs, role: p.role, startMs: p.startMs, endMs: p.endMs });
  }
  const out: PlannedNotice[] = [];
  for (const r of runs) {
    // A run clipped at the look-up range's edges has no real start / end there.
    if (r.startMs > lo) {
      out.push({ ...r, kind: 'soon', atMs: r.startMs - leadMs });
      out.push({ ...r, kind: 'start', atMs: r.startMs });
    }
    // Moving straight into the other role (secondary → primary): the start notice says it all.
    const continues = runs.some((o) => o !== r && o.startMs === r.endMs);
    if (r.endMs < hi && !continues) out.push({ ...r, kind: 'end', atMs: r.endMs });
  }
  return out.filter((n) => n.atMs > afterMs && n.atMs <= untilMs).sort((a, b) => a.atMs - b.atMs);
}

export interface ShiftNoticeOptions {
  user: string;
  rotation: { get(): CachedRotation | null; onChanged(listener: (syncedAt: string) => void): () => void };
  /** Incidents not resolved, as the cache holds them (named in the notice). */
  openIncidents: () => Incident[];
  notifier: Notifier;
  /** How long before a shift starts the first notice comes; default 30 min. */
  leadMs?: number;
  clock?: Clock;
  timers?: Timers;
  log?: Logger;
}

/**
 * Tells this user, on this desktop, that their shift starts soon, that it started (the handoff
 * is theirs) and that it ended, naming what is still open. Calendar apps refresh feeds slowly;
 * this reads the cached rotation, so it works offline and follows overrides as soon as synced.
 */
export class ShiftNotice {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly leadMs: number;
  private timer: unknown;
  /** Notices are given for (lastCheckMs, now]: none twice, none missed across a re-plan. */
  private lastCheckMs = 0;
  private stop: (() => void) | undefined;

  constructor(private readonly opts: ShiftNoticeOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.log = opts.log ?? silentLogger;
    this.leadMs = opts.leadMs ?? DEFAULT_SHIFT_NOTICE_LEAD_MS;
  }

  start(): void {
    if (this.stop) return;
    this.lastCheckMs = this.clock.now();
    this.stop = this.opts.rotation.onChanged(() => this.plan());
    this.plan();
  }

  dispose(): void {
    this.stop?.();
    this.stop = undefined;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Gives the notices due since the last check, then sleeps until the next one (or the horizon). */
  private plan(): void {
    if (!this.stop) return;
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.clock.now();
    const cached = this.opts.rotation.get();
    for (const n of plannedNotices(cached, this.opts.user, this.lastCheckMs, now, this.leadMs)) this.give(n, cached);
    this.lastCheckMs = now;
    const next = plannedNotices(cached, this.opts.user, now, now + SHIFT_NOTICE_HORIZON_MS, this.leadMs)[0];
    const wait = next ? next.atMs - now : SHIFT_NOTICE_HORIZON_MS;
    this.timer = this.timers.setTimeout(() => this.plan(), Math.max(0, wait));
  }

  private give(n: PlannedNotice, cached: CachedRotation | null): void {
    const zone = cached?.view.rotation?.timeZone ?? 'UTC';
    const at = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat('ccc HH:mm');
    const title =
      n.kind === 'soon'
        ? `Your ${n.role} shift starts at ${at(n.startMs)}`
        : n.kind === 'start'
          ? `You are ${n.role} now, until ${at(n.endMs)}`
          : `Your ${n.role} shift ended`;
    void this.opts.notifier
      .notify({
        id: `shift-${n.kind}-${n.role}-${n.startMs}`,
        title,
        body: openText(this.opts.openIncidents()),
        loud: false,
        acknowledgeAction: false,
      })
      .then((r) => {
        if (!r.ok) this.log.warn(`shift notice: ${r.error}`);
      });
  }
}

/** "Still open: A, B and 2 more" or "Nothing is open." */
export function openText(incidents: readonly Incident[]): string {
  if (incidents.length === 0) return 'Nothing is open.';
  const named = incidents.slice(0, SHIFT_NOTICE_MAX_NAMED).map((i) => i.title);
  const more = incidents.length - named.length;
  return `Still open (${incidents.length}): ${named.join('; ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Environment variable setting the lead in whole minutes (0 to SHIFT_NOTICE_MAX_LEAD_MIN). */
export const SHIFT_NOTICE_ENV = 'VIGIL_SHIFT_NOTICE_MINUTES';
export const SHIFT_NOTICE_MAX_LEAD_MIN = 24 * 60;

/** The lead from `VIGIL_SHIFT_NOTICE_MINUTES`; undefined (the default) when unset; throws naming it when invalid. */
export function shiftNoticeLeadFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const min = Number(value);
  if (!/^\d+$/.test(value) || min > SHIFT_NOTICE_MAX_LEAD_MIN) {
    throw new Error(`${SHIFT_NOTICE_ENV} must be whole minutes from 0 to ${SHIFT_NOTICE_MAX_LEAD_MIN}`);
  }
  return min * MINUTE_MS;
}

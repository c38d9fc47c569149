import { toIso, type Clock } from '../../../shared/clock.js';
import type { RotationView, StoredOverride } from '../../../shared/protocol/rotation.js';
import type { CommandFrame } from '../../../shared/protocol/stream.js';
import type { RotationOverridesConfig } from '../../../shared/rotation/overrides-config.js';
import { rotationIcs } from '../../../shared/rotation/ics.js';
import { handoffAt, shifts, weekIndex } from '../../../shared/rotation/rotation.js';
import type { RotationConfig } from '../../../shared/rotation/schema.js';
import type { CommandResult } from '../store/store.js';
import type { OverrideStore } from './override-store.js';

const DAY_MS = 86_400_000;

/** "90 days" for a bound in ms (config durations are whole days in practice; else hours). */
function span(ms: number): string {
  return ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : `${Math.round(ms / 3_600_000)} hours`;
}

/**
 * How long an ended override is kept: as long as the alert log ("who covered" stays answerable)
 * and as long as the health figures (on-call hours of a past week, the basis of on-call pay, are
 * rebuilt from the rotation with its overrides and must not change when the log is pruned).
 */
export function endedOverrideKeepMs(eventLogRetentionMs: number, healthKeepMs: number): number {
  return Math.max(eventLogRetentionMs, healthKeepMs);
}

/**
 * The team's rotation as the collector applies it: the configured one plus the overrides made
 * from desktops. `effective()` is what escalation asks whoIsOnCall about, so an override made on
 * a laptop pages the person covering.
 *
 * Overrides are bounded (config `rotationOverrides`): each one's span and lead time, how many
 * may be active at once and how many ended ones are kept. They live in memory (the list is
 * small by those bounds); an added one is appended, never the whole table re-read.
 */
export class RotationService {
  private stored: StoredOverride[] = [];
  private readonly ids = new Set<string>();
  private merged: RotationConfig | undefined;
  private readonly listeners = new Set<(changedAt: number) => void>();

  /**
   * `keepEndedMs`: an override that ended longer ago than this is deleted (at start and whenever
   * one is added), so the table stays as small as the team's recent history of swaps.
   */
  constructor(
    private readonly configured: RotationConfig | undefined,
    private readonly store: OverrideStore,
    private readonly clock: Clock,
    private readonly keepEndedMs: number,
    private readonly limits: RotationOverridesConfig,
  ) {
    this.prune();
    this.stored = this.store.list();
    for (const s of this.stored) this.ids.add(s.commandId);
    this.merged = this.merge();
  }

  /** Called after an override changed the rotation (desktops then fetch it at once). */
  onChanged(listener: (changedAt: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  effective(): RotationConfig | undefined {
    return this.merged;
  }

  /** Applies an `override` command once per id; a re-sent id answers ok without storing it again. */
  apply(cmd: CommandFrame, actor: string): CommandResult {
    // Protocol 5: an override names no target (the frame schema refuses alertId / incidentId on it).
    if (!cmd.override) return { ok: false, error: 'override: an override command needs `override`' };
    if (!this.configured) return { ok: false, error: 'the collector has no rotation configured' };
    // A re-sent command (its result was lost) is answered as the first time, whatever the bounds say now.
    if (this.ids.has(cmd.id)) return { ok: true };
    const o = cmd.override;
    const now = this.clock.now();
    const from = Date.parse(o.from);
    const to = Date.parse(o.to);
    const refused = this.refusal(from, to, now);
    if (refused !== undefined) return { ok: false, error: refused };
    const stored: StoredOverride = {
      commandId: cmd.id,
      role: o.role,
      user: o.user,
      from: toIso(from),
      to: toIso(to),
      by: actor,
      at: toIso(now),
      ...(o.swapId !== undefined ? { swapId: o.swapId } : {}),
    };
    if (this.store.add(stored)) {
      this.stored.push(stored);
      this.ids.add(stored.commandId);
      if (this.prune() > 0) this.dropPruned();
      this.merged = this.merge();
      for (const l of this.listeners) l(now);
    }
    return { ok: true };
  }

  /**
   * Withdraws an override made from a desktop (`remove-override`, issue 14). Applied once per
   * command id: a re-sent removal answers ok; removing one that another removal took, that has
   * ended or that never existed is a conflict naming why (the desktop shows it in the outbox).
   */
  remove(cmd: CommandFrame, actor: string): CommandResult {
    const id = cmd.overrideId;
    if (id === undefined) return { ok: false, error: 'overrideId: remove-override needs overrideId' };
    if (!this.configured) return { ok: false, error: 'the collector has no rotation configured' };
    const found = this.store.find(id);
    if (found?.removedCommand === cmd.id) return { ok: true };
    if (found === undefined) return { ok: false, conflict: `override ${id} does not exist (or ended long ago)` };
    if (found.removedBy !== null) return { ok: false, conflict: `override ${id} was removed by ${found.removedBy}` };
    const now = this.clock.now();
    const current = this.stored.find((s) => s.commandId === id);
    if (current !== undefined && Date.parse(current.to) <= now) {
      return { ok: false, conflict: `override ${id} has ended already` };
    }
    if (this.store.remove(id, cmd.id, actor, toIso(now))) {
      this.stored = this.stored.filter((s) => s.commandId !== id);
      this.merged = this.merge();
      for (const l of this.listeners) l(now);
    }
    return { ok: true };
  }

  /** The next `weeks` weeks from the current shift as RFC 5545 (`GET /v1/rotation.ics`); undefined without a rotation. */
  ics(weeks: number, user?: string): string | undefined {
    const rot = this.merged;
    if (!rot) return undefined;
    const now = this.clock.now();
    const k = weekIndex(rot, now);
    const byIndex = overrideAuthors(rot, this.stored);
    return rotationIcs(rot, handoffAt(rot, k), handoffAt(rot, k + weeks), {
      generatedAtMs: now,
      overrideBy: (i) => byIndex[i],
      ...(user !== undefined ? { user } : {}),
    });
  }

  /** Why an override from `from` to `to` is refused now, or undefined when it is within the bounds. */
  private refusal(from: number, to: number, now: number): string | undefined {
    const { maxDuration, maxLead, maxActive } = this.limits;
    if (to - from > maxDuration) {
      return `override.to: an override lasts at most ${span(maxDuration)} (rotationOverrides.maxDuration); for longer, change the roster`;
    }
    if (from - now > maxLead) {
      return `override.from: an override starts at most ${span(maxLead)} ahead (rotationOverrides.maxLead)`;
    }
    const nowIso = toIso(now);
    if (activeCount(this.stored, nowIso) >= maxActive && toIso(to) > nowIso) {
      return `override: ${maxActive} overrides are active or upcoming already (rotationOverrides.maxActive); wait for some to end`;
    }
    return undefined;
  }

  /** The effective rotation and its shifts from the start of the current one for `weeks` weeks. */
  view(weeks: number): RotationView {
    const now = this.clock.now();
    const rot = this.merged;
    const base = { overrides: [...this.stored], generatedAt: toIso(now) };
    if (!rot) return { ...base, rotation: null, shifts: [] };
    const k = weekIndex(rot, now);
    const segments = shifts(rot, handoffAt(rot, k), handoffAt(rot, k + weeks));
    return {
      ...base,
      rotation: rot,
      shifts: segments.map((s) => ({
        start: toIso(s.startMs),
        end: toIso(s.endMs),
        primary: s.primary,
        secondary: s.secondary,
      })),
    };
  }

  close(): void {
    this.store.close();
  }

  /** Deletes ended overrides past retention or past `maxEnded`; returns how many went. */
  private prune(): number {
    const now = this.clock.now();
    return (
      this.store.pruneEndedBefore(toIso(now - this.keepEndedMs)) +
      this.store.pruneEndedBeyond(toIso(now), this.limits.maxEnded)
    );
  }

  /** Something was pruned: the store's list is the truth (bounded by the limits, so re-reading is cheap). */
  private dropPruned(): void {
    this.stored = this.store.list();
    this.ids.clear();
    for (const s of this.stored) this.ids.add(s.commandId);
  }

  private merge(): RotationConfig | undefined {
    if (!this.configured) return undefined;
    const fromDesktops = this.stored.map((s) => ({ role: s.role, user: s.user, from: s.from, to: s.to }));
    // Later entries win: desktop overrides come after the config file's, in the order they were made.
    return { ...this.configured, overrides: [...this.configured.overrides, ...fromDesktops] };
  }
}

/** Who made each override of the merged rotation, by index (the config file's come first and have no author). */
function overrideAuthors(rot: RotationConfig, stored: readonly StoredOverride[]): Array<string | undefined> {
  const configCount = rot.overrides.length - stored.length;
  return [...Array.from({ length: configCount }, () => undefined), ...stored.map((s) => s.by)];
}

/** Overrides that have not ended at `nowIso` (ISO times from toIso() order as strings). */
function activeCount(stored: readonly StoredOverride[], nowIso: string): number {
  let n = 0;
  for (const s of stored) if (s.to > nowIso) n++;
  return n;
}

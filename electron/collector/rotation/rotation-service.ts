import { toIso, type Clock } from '../../../shared/clock.js';
import { ROTATION_TARGET, type RotationView, type StoredOverride } from '../../../shared/protocol/rotation.js';
import type { CommandFrame } from '../../../shared/protocol/stream.js';
import { handoffAt, shifts, weekIndex } from '../../../shared/rotation/rotation.js';
import type { RotationConfig } from '../../../shared/rotation/schema.js';
import type { CommandResult } from '../store/store.js';
import type { OverrideStore } from './override-store.js';

/**
 * The team's rotation as the collector applies it: the configured one plus the overrides made
 * from desktops. `effective()` is what escalation asks whoIsOnCall about, so an override made on
 * a laptop pages the person covering.
 */
export class RotationService {
  private stored: StoredOverride[] = [];
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
  ) {
    this.reload();
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
    if (cmd.alertId !== ROTATION_TARGET)
      return { ok: false, error: `alertId: an override targets "${ROTATION_TARGET}"` };
    if (!cmd.override) return { ok: false, error: 'override: an override command needs `override`' };
    if (!this.configured) return { ok: false, error: 'the collector has no rotation configured' };
    const o = cmd.override;
    const stored: StoredOverride = {
      commandId: cmd.id,
      role: o.role,
      user: o.user,
      from: toIso(Date.parse(o.from)),
      to: toIso(Date.parse(o.to)),
      by: actor,
      at: toIso(this.clock.now()),
    };
    if (this.store.add(stored)) {
      this.reload();
      const now = this.clock.now();
      for (const l of this.listeners) l(now);
    }
    return { ok: true };
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

  private reload(): void {
    this.store.pruneEndedBefore(toIso(this.clock.now() - this.keepEndedMs));
    this.stored = this.store.list();
    this.merged = this.merge();
  }

  private merge(): RotationConfig | undefined {
    if (!this.configured) return undefined;
    const fromDesktops = this.stored.map((s) => ({ role: s.role, user: s.user, from: s.from, to: s.to }));
    // Later entries win: desktop overrides come after the config file's, in the order they were made.
    return { ...this.configured, overrides: [...this.configured.overrides, ...fromDesktops] };
  }
}

import { DEFAULT_ICS_WEEKS, type CachedRotation } from '../../../../shared/protocol/rotation.js';
import type { RotationChange, RotationIcs } from '../../../../shared/protocol/api.js';
import { rotationIcs } from '../../../../shared/rotation/ics.js';
import { handoffAt, weekIndex } from '../../../../shared/rotation/rotation.js';
import type { Cache } from '../cache/index.js';

/** Rotation commands listed for the calendar at most (the latest; older refusals are in the outbox view). */
export const MAX_ROTATION_CHANGES = 200;

/** This desktop's rotation commands not applied yet, with what they carry (for the calendar). */
export function rotationChanges(cache: Pick<Cache, 'rotationCommands'>): RotationChange[] {
  const out: RotationChange[] = [];
  for (const c of cache.rotationCommands(MAX_ROTATION_CHANGES)) {
    if (c.kind !== 'override' && c.kind !== 'remove-override') continue;
    out.push({
      id: c.id,
      kind: c.kind,
      state: c.state,
      createdAt: c.createdAt,
      ...(c.detail !== undefined ? { detail: c.detail } : {}),
      ...(c.override !== undefined ? { override: c.override } : {}),
      ...(c.overrideId !== undefined ? { overrideId: c.overrideId } : {}),
    });
  }
  return out;
}

/**
 * The export button's file, built from the cached rotation with the collector's own builder
 * (shared/rotation/ics.ts), so it works offline and matches `GET /v1/rotation.ics`.
 */
export function rotationIcsFile(
  cached: CachedRotation | null,
  nowMs: number,
  p: { user?: string | undefined; weeks?: number | undefined },
): RotationIcs | null {
  const rot = cached?.view.rotation;
  if (!cached || !rot) return null;
  const k = weekIndex(rot, nowMs);
  const stored = cached.view.overrides;
  const configCount = rot.overrides.length - stored.length;
  const ics = rotationIcs(rot, handoffAt(rot, k), handoffAt(rot, k + (p.weeks ?? DEFAULT_ICS_WEEKS)), {
    generatedAtMs: nowMs,
    overrideBy: (i) => stored[i - configCount]?.by,
    ...(p.user !== undefined ? { user: p.user } : {}),
  });
  const who = p.user !== undefined ? `-${p.user.replace(/[^A-Za-z0-9_.-]/g, '_')}` : '';
  return { ics, filename: `vigil-rotation${who}.ics` };
}

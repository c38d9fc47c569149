import type { CachedRotation } from '../../../shared/protocol';

/**
 * The people the settings' "who I am" offers: the rotation's roster and its escalation contact,
 * plus the current user (who may be none of them), without duplicates, in roster order.
 */
export function rosterChoices(rotation: CachedRotation | null, current: string | undefined): string[] {
  const r = rotation?.view.rotation;
  const names = [...(r?.roster ?? []), ...(r?.escalationContact ? [r.escalationContact] : [])];
  if (current !== undefined) names.push(current);
  return [...new Set(names)];
}

/** Seconds as the ring interval field shows them ("30 s", "5 min"). */
export function ringIntervalText(sec: number): string {
  return sec % 60 === 0 ? `${sec / 60} min` : `${sec} s`;
}

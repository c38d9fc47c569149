import { z } from 'zod';
import { RotationConfig, ShiftRole } from '../rotation/schema.js';
import { UserName } from './user.js';

/**
 * The on-call rotation as the collector serves it (`GET /v1/rotation`) and the desktop caches it:
 * the effective configuration (the config file's overrides plus the ones made from desktops),
 * and who is on call over the next weeks, worked out by the collector so every desktop shows
 * the same shifts. Overrides made from a desktop travel as `command` frames of kind `override`.
 */

const IsoTime = z.iso.datetime({ offset: true });

/** `alertId` of an `override` command: it targets the rotation, not an alert. */
export const ROTATION_TARGET = 'rotation';

/** Weeks of shifts `GET /v1/rotation` answers when `?weeks=` is absent, and the most it answers. */
export const DEFAULT_ROTATION_WEEKS = 8;
export const MAX_ROTATION_WEEKS = 52;

/** Longest `swapId` (client-generated, like a command id). */
export const SWAP_ID_MAX = 100;
const SwapId = z.string().min(1).max(SWAP_ID_MAX);

/** One person covers a role for a time range, made from a desktop (a rotation override command). */
export const RotationOverride = z
  .strictObject({
    role: ShiftRole,
    /** Who covers: a name like any user's (no control, line-separator or bidi characters). */
    user: UserName,
    from: IsoTime,
    to: IsoTime,
    /**
     * Set on the two halves of a swap made from the calendar (each covers the other's shift): the
     * same id on both, so the calendar shows them as one swap and removes them together.
     */
    swapId: SwapId.optional(),
  })
  .refine((o) => Date.parse(o.to) > Date.parse(o.from), { message: '`to` must be after `from`', path: ['to'] });
export type RotationOverride = z.infer<typeof RotationOverride>;

/** An override as the collector stored it: who made it and when. */
export const StoredOverride = z.object({
  commandId: z.string(),
  role: ShiftRole,
  user: z.string(),
  from: IsoTime,
  to: IsoTime,
  by: z.string(),
  at: IsoTime,
  swapId: z.string().optional(),
});
export type StoredOverride = z.infer<typeof StoredOverride>;

export const RotationShift = z.object({
  start: IsoTime,
  end: IsoTime,
  primary: z.string(),
  secondary: z.string(),
});
export type RotationShift = z.infer<typeof RotationShift>;

export const RotationView = z.object({
  /** The effective rotation (overrides from desktops included); null when the collector has none. */
  rotation: RotationConfig.nullable(),
  /** Overrides made from desktops, oldest first (they are also in `rotation.overrides`). */
  overrides: z.array(StoredOverride),
  /** Who is on call from the start of the current shift on, consecutive and gap-free. */
  shifts: z.array(RotationShift),
  /** The collector's clock when it answered. */
  generatedAt: IsoTime,
});
export type RotationView = z.infer<typeof RotationView>;

/** Weeks of shifts `GET /v1/rotation.ics` covers when `?weeks=` is absent, and the most it covers. */
export const DEFAULT_ICS_WEEKS = 26;
export const MAX_ICS_WEEKS = 104;

/** What the desktop's Api answers for `rotation.get`: the cached view and when it was fetched. */
export const CachedRotation = z.object({ view: RotationView, syncedAt: IsoTime });
export type CachedRotation = z.infer<typeof CachedRotation>;

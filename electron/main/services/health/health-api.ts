import { toIso } from '../../../../shared/clock.js';
import { PULSE_MAX_AGE_MS } from '../../../../shared/health/pulse.js';
import type { CachedHealth, PulsePrompt, PulseRequest } from '../../../../shared/protocol/health.js';
import type { CachedRotation } from '../../../../shared/protocol/rotation.js';
import { plannedNotices } from '../rotation/shift-notice.js';
import type { HealthCache } from './health-cache.js';

/**
 * The shift the pulse asks about: the user's latest shift end within PULSE_MAX_AGE_MS (the same
 * `end` notices the shift notice gives, from the cached rotation, so it works offline), unless
 * this desktop asked about it already. Only the latest: a week away does not queue up questions.
 */
export function pulsePrompt(
  rotation: CachedRotation | null,
  user: string,
  prompted: ReadonlySet<string>,
  nowMs: number,
): PulsePrompt | null {
  const ends = plannedNotices(rotation, user, nowMs - PULSE_MAX_AGE_MS, nowMs, 0).filter((n) => n.kind === 'end');
  const last = ends[ends.length - 1];
  if (!last) return null;
  const shiftEnd = toIso(last.atMs);
  if (prompted.has(shiftEnd)) return null;
  return { shiftEnd, shiftStart: toIso(last.startMs), role: last.role };
}

export interface HealthApiDeps {
  cache: HealthCache;
  rotation: () => CachedRotation | null;
  user: () => string;
  now: () => number;
  /** Queues a `pulse` command in the outbox; returns its id. */
  enqueuePulse: (pulse: PulseRequest) => string;
  onChanged: (listener: (syncedAt: string) => void) => () => void;
}

/** What the Api answers for `health.*` (issue 15): the cached answer and the fatigue pulse. */
export class HealthApi {
  constructor(private readonly deps: HealthApiDeps) {}

  get(): CachedHealth | null {
    return this.deps.cache.get();
  }

  prompt(): PulsePrompt | null {
    const user = this.deps.user();
    return pulsePrompt(this.deps.rotation(), user, this.deps.cache.promptedShiftEnds(user), this.deps.now());
  }

  /** Answered (online or not): queued in the outbox, and this shift is not asked about again. */
  answer(p: PulseRequest): { commandId: string } {
    const commandId = this.deps.enqueuePulse(p);
    this.deps.cache.markPrompt(this.deps.user(), p.shiftEnd, 'answered', toIso(this.deps.now()));
    return { commandId };
  }

  skip(shiftEnd: string): { skipped: true } {
    this.deps.cache.markPrompt(this.deps.user(), shiftEnd, 'skipped', toIso(this.deps.now()));
    return { skipped: true };
  }

  onChanged(listener: (syncedAt: string) => void): () => void {
    return this.deps.onChanged(listener);
  }
}

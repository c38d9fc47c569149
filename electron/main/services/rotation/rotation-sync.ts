import { toIso } from '../../../../shared/clock.js';
import { RotationView } from '../../../../shared/protocol/rotation.js';
import { CollectorPull, type CollectorPullOptions } from '../collector-pull.js';
import type { RotationCache } from './rotation-cache.js';

export interface RotationSyncOptions extends CollectorPullOptions {
  cache: RotationCache;
}

/** Between polls while connected; overrides from other desktops are also pushed (a `rotation` frame). */
export const ROTATION_POLL_MS = 60_000;

/**
 * Keeps the cached rotation fresh: fetches `GET /v1/rotation` on every connect, every minute while
 * connected, and when asked (an override was applied). A failed fetch keeps the cached rotation,
 * so the calendar stays readable offline. Listeners get the sync time.
 */
export class RotationSync extends CollectorPull<string> {
  constructor(private readonly opts: RotationSyncOptions) {
    super(opts, 'rotation sync', ROTATION_POLL_MS);
  }

  protected async pull(): Promise<void> {
    const view = await this.getJson('/v1/rotation', RotationView);
    if (this.disposed) return;
    const syncedAt = toIso(this.clock.now());
    this.opts.cache.put(view, syncedAt);
    this.emitChanged(syncedAt);
  }
}

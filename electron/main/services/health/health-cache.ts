import { CachedHealth, type HealthAnswer } from '../../../../shared/protocol/health.js';
import { openCacheConnection } from '../cache/cache-connection.js';

/** Health in the desktop cache (tables from migration 0009): what the Health view reads, online or not. */
export interface HealthCache {
  /** The last answer fetched from the collector, or null before the first fetch. */
  get(): CachedHealth | null;
  put(answer: HealthAnswer, syncedAt: string): void;
  /** Shift ends this user was asked the pulse about (answered or skipped). */
  promptedShiftEnds(user: string): Set<string>;
  markPrompt(user: string, shiftEnd: string, state: 'answered' | 'skipped', at: string): void;
  close(): void;
}

/** Opens its own connection to the cache file, as the rotation and chart caches do (WAL). */
export function openHealthCache(path: string, opts: { log?: (message: string) => void } = {}): HealthCache {
  const db = openCacheConnection(path);
  const get = db.prepare('SELECT json, synced_at FROM health WHERE id = 1');
  const put = db.prepare(`INSERT INTO health (id, json, synced_at) VALUES (1, ?, ?)
    ON CONFLICT (id) DO UPDATE SET json = excluded.json, synced_at = excluded.synced_at`);
  const prompted = db.prepare('SELECT shift_end FROM pulse_prompts WHERE user = ?').pluck();
  const mark = db.prepare(`INSERT INTO pulse_prompts (user, shift_end, state, at) VALUES (?, ?, ?, ?)
    ON CONFLICT (user, shift_end) DO UPDATE SET state = excluded.state, at = excluded.at`);
  return {
    get() {
      const row = get.get() as { json: string; synced_at: string } | undefined;
      if (!row) return null;
      // Validated when fetched; checked again because the file is outside our control.
      try {
        const r = CachedHealth.safeParse({ answer: JSON.parse(row.json), syncedAt: row.synced_at });
        if (r.success) return r.data;
        opts.log?.(`health cache: stored answer is invalid (${r.error.issues[0]?.message ?? 'unknown'}); ignoring it`);
      } catch {
        opts.log?.('health cache: stored answer is not JSON; ignoring it');
      }
      return null;
    },
    put: (answer, syncedAt) => void put.run(JSON.stringify(answer), syncedAt),
    promptedShiftEnds: (user) => new Set(prompted.all(user) as string[]),
    markPrompt: (user, shiftEnd, state, at) => void mark.run(user, shiftEnd, state, at),
    close() {
      if (db.open) db.close();
    },
  };
}

import { CachedRotation, type RotationView } from '../../../../shared/protocol/rotation.js';
import { openCacheConnection } from '../cache/cache-connection.js';

/** The rotation in the desktop cache (table from migration 0005): what the calendar reads, online or not. */
export interface RotationCache {
  /** The last view fetched from the collector, or null before the first fetch. */
  get(): CachedRotation | null;
  put(view: RotationView, syncedAt: string): void;
  close(): void;
}

interface Row {
  json: string;
  synced_at: string;
}

/** Opens its own connection to the cache file, as the runbook and chart caches do (WAL). */
export function openRotationCache(path: string, opts: { log?: (message: string) => void } = {}): RotationCache {
  const db = openCacheConnection(path);
  const get = db.prepare('SELECT json, synced_at FROM rotation WHERE id = 1');
  const put = db.prepare(`INSERT INTO rotation (id, json, synced_at) VALUES (1, ?, ?)
    ON CONFLICT (id) DO UPDATE SET json = excluded.json, synced_at = excluded.synced_at`);
  return {
    get() {
      const row = get.get() as Row | undefined;
      if (!row) return null;
      // Validated when fetched; checked again because the file is outside our control.
      try {
        const r = CachedRotation.safeParse({ view: JSON.parse(row.json), syncedAt: row.synced_at });
        if (r.success) return r.data;
        opts.log?.(
          `rotation cache: stored rotation is invalid (${r.error.issues[0]?.message ?? 'unknown'}); ignoring it`,
        );
      } catch {
        opts.log?.('rotation cache: stored rotation is not JSON; ignoring it');
      }
      return null;
    },
    put(view, syncedAt) {
      put.run(JSON.stringify(view), syncedAt);
    },
    close() {
      if (db.open) db.close();
    },
  };
}

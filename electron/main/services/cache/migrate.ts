import type Database from 'better-sqlite3';
import type { Migration } from './migrations/index.js';

/**
 * Applies every migration not yet recorded in schema_migrations, in version order, each in its
 * own transaction together with its row, so a crash leaves either the old or the new schema and
 * never half of one. Set-based rather than "above the max": numbers are handed to parallel work
 * streams and may land out of order on a developer's cache. Returns the versions applied.
 */
export function migrate(db: Database.Database, all: readonly Migration[], appliedAt: string): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const current = Math.max(0, ...done);
  const latest = all.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > latest) {
    // A newer app wrote this file; running old code over a newer schema would corrupt it.
    throw new Error(`cache schema version ${current} is newer than this app supports (${latest})`);
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of [...all].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.version, m.name, appliedAt);
    })();
    applied.push(m.version);
  }
  return applied;
}

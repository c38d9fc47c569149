import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';

/**
 * Applies every migration not yet recorded in `schema_migrations`, in version order, each in its
 * own transaction. Returns how many are applied
 * (the schema version when no number is missing).
 * Numbers are handed out to parallel work streams, so a number may be reserved before its file
 * lands (0003 before 0002): listed versions must start at 1 and increase, and a number that is
 * missing today is applied whenever it appears (set-based, not "above the max").
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now = 0): number {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let previous = 0;
  for (const m of migrations) {
    if (m.version <= previous || (previous === 0 && m.version !== 1 && !applied.has(1))) {
      throw new Error(`migration ${m.version} does not follow ${previous}`);
    }
    previous = m.version;
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.version, m.name, now);
    })();
    applied.add(m.version);
  }
  return applied.size;
}

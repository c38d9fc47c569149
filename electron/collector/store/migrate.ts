import type Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations/index.js';
import type { Migration } from './migrations/migration.js';

/** Applies pending migrations, each in its own transaction, recorded in `schema_migrations`. Returns the new version. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now = 0): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const current = (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as { v: number }).v;
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let version = current;
  for (const m of migrations) {
    if (m.version <= current) continue;
    if (m.version !== version + 1) throw new Error(`migration ${m.version} does not follow ${version}`);
    db.transaction(() => {
      db.exec(m.up);
      record.run(m.version, m.name, now);
    })();
    version = m.version;
  }
  return version;
}

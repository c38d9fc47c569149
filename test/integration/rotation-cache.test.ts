import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrations, openCache } from '../../electron/main/services/cache/index.js';
import { openRotationCache } from '../../electron/main/services/rotation/index.js';
import type { RotationView } from '../../shared/protocol/rotation.js';

/** Cache migration 0005 (rotation table, outbox payload) on real SQLite files. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-rotation-cache-'));
  dirs.push(dir);
  return join(dir, 'cache.db');
}

const NOW = '2026-03-02T08:00:00.000Z';
const VIEW: RotationView = {
  rotation: {
    timeZone: 'UTC',
    handoff: { day: 'monday', time: '09:00' },
    start: '2026-01-05',
    roster: ['ana', 'ben'],
    overrides: [],
    swaps: [],
  },
  overrides: [],
  shifts: [{ start: '2026-02-23T09:00:00.000Z', end: '2026-03-02T09:00:00.000Z', primary: 'ana', secondary: 'ben' }],
  generatedAt: NOW,
};
const OVERRIDE = {
  role: 'primary',
  user: 'ben',
  from: '2026-03-02T10:00:00.000Z',
  to: '2026-03-02T12:00:00.000Z',
} as const;

describe('cache migration 0005 (rotation)', () => {
  it('upgrades a 0004 cache in place, keeping its outbox, and round-trips override payloads', () => {
    const file = tempFile();
    const old = new Database(file);
    migrate(
      old,
      migrations.filter((m) => m.version <= 4),
      NOW,
    );
    old
      .prepare(`INSERT INTO outbox (id, kind, alert_id, created_at, state) VALUES ('c1', 'ack', 'a1', ?, 'queued')`)
      .run(NOW);
    old.close();

    const cache = openCache(file, { now: NOW });
    const db = new Database(file, { readonly: true });
    expect(
      (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
        (r) => r.version,
      ),
    ).toContain(5);
    db.close();
    expect(cache.unanswered()).toEqual([expect.objectContaining({ id: 'c1', kind: 'ack', alertId: 'a1' })]);
    expect(cache.unanswered()[0]).not.toHaveProperty('override');
    cache.enqueue({ id: 'c2', kind: 'override', alertId: 'rotation', override: OVERRIDE, createdAt: NOW });
    expect(cache.unanswered().map((c) => c.override)).toEqual([undefined, OVERRIDE]);
    cache.close();
  });

  it('stores the rotation view, and ignores a corrupted one or a corrupted payload instead of crashing', () => {
    const file = tempFile();
    const cache = openCache(file, { now: NOW });
    const logged: string[] = [];
    const rotation = openRotationCache(file, { log: (m) => logged.push(m) });
    expect(rotation.get()).toBeNull();
    rotation.put(VIEW, NOW);
    expect(rotation.get()).toEqual({ view: VIEW, syncedAt: NOW });

    const db = new Database(file);
    db.prepare('UPDATE rotation SET json = \'{"rotation": 7}\'').run();
    expect(rotation.get()).toBeNull();
    db.prepare("UPDATE rotation SET json = 'not json'").run();
    expect(rotation.get()).toBeNull();
    expect(logged).toHaveLength(2);

    cache.enqueue({ id: 'c3', kind: 'override', alertId: 'rotation', override: OVERRIDE, createdAt: NOW });
    db.prepare('UPDATE outbox SET payload = \'{"role": "boss"}\' WHERE id = \'c3\'').run();
    expect(cache.unanswered()[0]?.override).toBeUndefined();
    db.close();
    rotation.close();
    cache.close();
  });
});

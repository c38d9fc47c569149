import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addToBucket, emptyBucket } from '../../shared/rollup/bucket.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { migrate } from '../../electron/collector/store/migrate.js';
import { MIGRATIONS } from '../../electron/collector/store/migrations/index.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('collector store migrations', () => {
  it('0001 creates every table and is recorded; re-running is a no-op', () => {
    const db = new Database(join(tmp(), 'm.db'));
    expect(migrate(db)).toBe(MIGRATIONS.length);
    // Since 0006, `events` is a view over event_batches (one row per ingested batch).
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')").all() as { name: string }[]
    ).map((t) => t.name);
    for (const t of [
      'events',
      'rollups',
      'alerts',
      'alert_events',
      'rule_state',
      'applied_commands',
      'meta',
      'schema_migrations',
    ]) {
      expect(tables).toContain(t);
    }
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT version, name FROM schema_migrations').all()).toContainEqual({
      version: 1,
      name: 'initial',
    });
    db.close();
  });

  it('refuses a gap in numbering', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, [{ version: 2, name: 'x', up: 'SELECT 1' }])).toThrow(/does not follow/);
    db.close();
  });
});

describe('collector store', () => {
  const key = { service: 's', provider: 'openai', model: 'gpt-4o' };
  const event = {
    ts: 120_000,
    ...key,
    latency_ms: 100,
    input_tokens: 1,
    output_tokens: 1,
    status: 'error' as const,
    error_type: 'timeout',
  };
  const alert: Alert = {
    id: 'a1',
    ruleId: 'error-rate',
    tier: 'page',
    status: 'firing',
    source: 'rules',
    summary: 's',
    labels: key,
    firedAt: '2026-11-01T00:00:00.000Z',
  };

  it('round-trips rollups (with the latency sketch), events, the log and command ids across reopen', () => {
    const file = join(tmp(), 'c.db');
    const s = openStore(file);
    const b = emptyBucket(key, 120_000);
    for (let i = 1; i <= 100; i++) addToBucket(b, { ...event, latency_ms: i * 10 }, null);
    s.ingestBatch([{ event, costUsd: null }], [b], 0, 125_000);
    s.durable(() => {
      s.putAlert(alert);
      s.appendLog({ at: 1, alertId: 'a1', kind: 'fired', alert });
      s.appendLog({
        at: 2,
        alertId: 'a1',
        kind: 'acknowledged',
        actor: 'alice',
        alert: { ...alert, status: 'acknowledged' },
      });
      s.recordCommand('c1', 2, { ok: true });
    });
    s.close();

    const r = openStore(file);
    const back = r.loadBucket(key, 120_000);
    expect(back).toMatchObject({ count: 100, errors: 100, unpriced: 100, errorTypes: { timeout: 100 } });
    expect(back?.latency.getValueAtQuantile(0.95)).toBeGreaterThan(940 * 0.99);
    expect(back?.latency.getValueAtQuantile(0.95)).toBeLessThan(960 * 1.01);
    expect(r.minuteCounts(key, 0, 600_000)).toEqual([{ minute: 120_000, count: 100, errors: 100 }]);
    expect(r.maxEventTs()).toBe(125_000);
    expect(r.stats()).toEqual({ events: 1, alerts: 1, lastSeq: 2, lastEventTs: 125_000 });
    expect(r.logAfter(1, 10).map((e) => [e.seq, e.kind, e.actor])).toEqual([[2, 'acknowledged', 'alice']]);
    expect(r.commandResult('c1')).toEqual({ ok: true });
    expect(r.listAlerts('firing')).toHaveLength(1);
    r.close();
  });

  it('a failed durable transaction leaves nothing behind', () => {
    const s = openStore(join(tmp(), 'c.db'));
    expect(() =>
      s.durable(() => {
        s.putAlert(alert);
        s.appendLog({ at: 1, alertId: 'a1', kind: 'fired', alert });
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(s.stats()).toEqual({ events: 0, alerts: 0, lastSeq: 0, lastEventTs: null });
    s.close();
  });
});

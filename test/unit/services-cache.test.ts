import Database from 'better-sqlite3';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrations, openCache, type Cache } from '../../electron/main/services/cache/index.js';
import type { Alert } from '../../shared/protocol/alert.js';
import type { EventFrame } from '../../shared/protocol/stream.js';
import { wireAlert } from '../fixtures/wire-alert.js';

const NOW = '2026-01-05T10:00:00.000Z';

const alert = (id: string, patch: Partial<Alert> = {}): Alert =>
  wireAlert(id, { labels: { service: 'chat' }, ...patch });

function event(seq: number, a: Alert, kind: EventFrame['kind'] = 'fired', actor?: string): EventFrame {
  return {
    type: 'event',
    seq,
    at: `2026-01-05T09:${String(seq % 60).padStart(2, '0')}:00.000Z`,
    alertId: a.id,
    kind,
    alert: a,
    ...(actor ? { actor } : {}),
  };
}

describe('cache', () => {
  let dir: string;
  let path: string;
  let cache: Cache;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-cache-'));
    path = join(dir, 'cache.db');
    cache = openCache(path, { now: NOW });
  });
  afterEach(() => {
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records every migration once and uses WAL', () => {
    cache.close();
    cache = openCache(path, { now: NOW }); // reopening applies nothing new
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, name: m.name })));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('migration 0001 creates the tables the cache uses', () => {
    const db = new Database(':memory:');
    migrations[0]?.up(db);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((t) => (t as { name: string }).name)).toEqual(
      expect.arrayContaining(['alerts', 'outbox', 'sync_state', 'timeline']),
    );
    db.close();
  });

  it('refuses a database written by a newer app', () => {
    cache.close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_migrations VALUES (999, 'future', ?)").run(NOW);
    db.close();
    expect(() => openCache(path, { now: NOW })).toThrow(/newer/);
    cache = openCache(join(dir, 'other.db'), { now: NOW });
  });

  it('applies events idempotently and advances lastSeq with them', () => {
    const a = alert('a1');
    const acked = alert('a1', { status: 'acknowledged', acknowledgedBy: 'ana', acknowledgedAt: NOW });
    expect(cache.applyEvents([event(1, a), event(2, acked, 'acknowledged', 'ana')], NOW)).toEqual({
      alerts: ['a1'],
      incidents: [],
    });
    // Replayed after a reconnect: nothing changes, not even the order of the timeline.
    expect(cache.applyEvents([event(1, a), event(2, acked, 'acknowledged', 'ana')], NOW)).toEqual({
      alerts: [],
      incidents: [],
    });
    expect(cache.syncState().lastSeq).toBe(2);
    const detail = cache.getAlert('a1');
    expect(detail?.alert.status).toBe('acknowledged');
    expect(detail?.timeline.map((t) => [t.seq, t.kind, t.actor])).toEqual([
      [1, 'fired', undefined],
      [2, 'acknowledged', 'ana'],
    ]);
  });

  it('survives reopening: alerts, timeline, lastSeq and offset persist', () => {
    cache.applyEvents([event(5, alert('x'))], NOW);
    cache.setServerOffset(-1234);
    cache.close();
    cache = openCache(path, { now: NOW });
    expect(cache.syncState()).toMatchObject({ lastSeq: 5, serverOffsetMs: -1234, lastSyncAt: NOW });
    expect(cache.listAlerts().map((a) => a.id)).toEqual(['x']);
  });

  it('lists newest first and filters by status', () => {
    cache.applyEvents(
      [
        event(1, alert('old', { firedAt: '2026-01-01T00:00:00.000Z' })),
        event(2, alert('new', { firedAt: '2026-01-04T00:00:00.000Z', status: 'resolved' })),
      ],
      NOW,
    );
    expect(cache.listAlerts().map((a) => a.id)).toEqual(['new', 'old']);
    expect(cache.listAlerts('firing').map((a) => a.id)).toEqual(['old']);
  });

  it('replaces the alert set with a snapshot', () => {
    cache.applyEvents([event(1, alert('gone')), event(2, alert('kept'))], NOW);
    const changed = cache.applySnapshot({ lastSeq: 40, alerts: [alert('kept'), alert('fresh')], incidents: [] }, NOW);
    expect(new Set(changed.alerts)).toEqual(new Set(['gone', 'kept', 'fresh']));
    expect(
      cache
        .listAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['fresh', 'kept']);
    expect(cache.syncState().lastSeq).toBe(40);
  });

  it('resets the replica when bound to another collector', () => {
    expect(cache.bindCollector('http://127.0.0.1:1')).toBe(false);
    cache.applyEvents([event(3, alert('a'))], NOW);
    expect(cache.bindCollector('http://127.0.0.1:1')).toBe(false);
    expect(cache.syncState().lastSeq).toBe(3);
    expect(cache.bindCollector('http://127.0.0.1:2')).toBe(true);
    expect(cache.syncState().lastSeq).toBe(0);
    expect(cache.listAlerts()).toEqual([]);
  });

  it('keeps the outbox in creation order through state changes', () => {
    for (const id of ['c1', 'c2', 'c3']) {
      cache.enqueue({ id, kind: 'ack', alertId: 'a', createdAt: NOW });
    }
    expect(cache.markOutbox('c2', 'sent')?.state).toBe('sent');
    expect(cache.markOutbox('c1', 'applied')?.state).toBe('applied');
    expect(cache.markOutbox('nope', 'applied')).toBeNull();
    expect(cache.unanswered().map((c) => [c.id, c.state, c.attempts])).toEqual([
      ['c2', 'sent', 1],
      ['c3', 'queued', 0],
    ]);
    expect(cache.pendingCount()).toBe(2);
    expect(cache.markOutbox('c3', 'conflict', 'already resolved')).toMatchObject({
      state: 'conflict',
      detail: 'already resolved',
    });
    expect(cache.outbox().map((i) => i.id)).toEqual(['c1', 'c2', 'c3']);
    expect(() => cache.enqueue({ id: 'c1', kind: 'ack', alertId: 'a', createdAt: NOW })).toThrow();
  });

  it('property: any interleaving of replays ends at the same state as applying each event once', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 10 }), { maxLength: 8 }),
        (batches) => {
          const c = openCache(':memory:', { now: NOW });
          const seen: number[] = [];
          for (const batch of batches) {
            const sorted = [...batch].sort((x, y) => x - y);
            c.applyEvents(
              sorted.map((s) => event(s, alert(`a${s % 3}`, { summary: `v${s}` }))),
              NOW,
            );
            for (const s of sorted) if (s > (seen.at(-1) ?? 0)) seen.push(s);
          }
          expect(c.syncState().lastSeq).toBe(seen.at(-1) ?? 0);
          const timelineSeqs = ['a0', 'a1', 'a2'].flatMap((id) => c.getAlert(id)?.timeline.map((t) => t.seq) ?? []);
          expect(timelineSeqs.sort((x, y) => x - y)).toEqual(seen);
          for (const id of ['a0', 'a1', 'a2']) {
            const last = [...seen].reverse().find((s) => `a${s % 3}` === id);
            expect(c.getAlert(id)?.alert.summary).toBe(last === undefined ? undefined : `v${last}`);
          }
          c.close();
        },
      ),
      { numRuns: 100 },
    );
  });
});

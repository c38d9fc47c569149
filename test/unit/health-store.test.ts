import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { openHealthStore } from '../../electron/collector/health/health-store.js';
import { migrate } from '../../electron/collector/store/migrate.js';
import { MIGRATIONS } from '../../electron/collector/store/migrations/index.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { chatIncident, tmpDirs } from '../fixtures/collector-db.js';

/**
 * The collector's health copy of the incident log (migration 0011): a trigger copies the
 * entries the figures need in the log entry's own transaction; migrating copies those already
 * written; the copy survives the log's retention; pulses are one per person and shift.
 */
const tmpDir = tmpDirs();
const tmp = (): string => tmpDir('vigil-health-');

const T0 = Date.parse('2026-03-24T09:00:00Z');
const incident = chatIncident(T0);

describe('health store', () => {
  it('copies incident entries (trigger), keeps them past log retention, reads whole incidents', () => {
    const file = join(tmp(), 'collector.db');
    const store = openStore(file, T0);
    const log = (at: number, kind: 'fired' | 'notified' | 'acknowledged' | 'commented', extra = {}) =>
      store.appendIncidentLog({ at, incidentId: 'inc-1', kind, incident, ...extra });
    log(T0, 'fired');
    log(T0, 'notified', { note: 'paged: alice (level 1)', actor: 'collector' });
    log(T0 + 60_000, 'commented', { note: 'looking' });
    log(T0 + 120_000, 'acknowledged', { actor: 'alice' });
    const health = openHealthStore(file);
    // Only the kinds the figures need; the ack outside the asked range comes along with its incident.
    expect(health.entries(T0, T0 + 1)).toEqual([
      {
        seq: 2,
        atMs: T0,
        incidentId: 'inc-1',
        kind: 'notified',
        tier: 'page',
        actor: 'collector',
        note: 'paged: alice (level 1)',
      },
      { seq: 4, atMs: T0 + 120_000, incidentId: 'inc-1', kind: 'acknowledged', tier: 'page', actor: 'alice' },
    ]);
    expect(store.pruneLog(T0 + 3_600_000, 1_000_000, 10_000)).toBe(4);
    expect(health.entries(T0, T0 + 1)).toHaveLength(2);
    expect(health.entries(T0 + 3_600_000, T0 + 7_200_000)).toEqual([]);
    expect(health.prune(T0 + 1)).toBe(1);
    health.close();
    store.close();
  });

  it('migration 0011 copies the entries written before it', () => {
    const file = join(tmp(), 'old.db');
    const db = new Database(file);
    migrate(
      db,
      MIGRATIONS.filter((m) => m.version < 11),
    );
    db.prepare(
      `INSERT INTO alert_events (at, alert_id, kind, actor, note, alert_json, incident_id, incident_json)
       VALUES (?, '', ?, NULL, ?, '', 'inc-1', ?)`,
    ).run(T0, 'notified', 'paged: bob (level 1)', JSON.stringify({ ...incident, tier: 'ticket' }));
    expect(migrate(db)).toBe(MIGRATIONS.length);
    db.close();
    const health = openHealthStore(file);
    expect(health.entries(T0, T0 + 1)).toMatchObject([
      { kind: 'notified', tier: 'ticket', note: 'paged: bob (level 1)' },
    ]);
    health.close();
  });

  it('one pulse per person and shift: a later answer replaces it, a re-sent command changes nothing', () => {
    const file = join(tmp(), 'collector.db');
    openStore(file, T0).close();
    const health = openHealthStore(file);
    const p = { user: 'alice', shiftEndMs: T0, score: 4, comment: 'ok', commandId: 'c1', answeredAtMs: T0 };
    expect(health.putPulse(p)).toBe(true);
    expect(health.putPulse(p)).toBe(false);
    expect(health.putPulse({ ...p, score: 2, commandId: 'c2' })).toBe(true);
    expect(health.putPulse({ ...p, user: 'bob', score: 5, commandId: 'c3' })).toBe(true);
    expect(health.pulses(T0, T0 + 1).sort((a, b) => a.user.localeCompare(b.user))).toEqual([
      { user: 'alice', shiftEndMs: T0, score: 2, comment: 'ok' },
      { user: 'bob', shiftEndMs: T0, score: 5, comment: 'ok' },
    ]);
    health.close();
  });

  it('reads traffic per service and provider, and provider-down alerts as outages', () => {
    const file = join(tmp(), 'collector.db');
    const store = openStore(file, T0);
    const alert = (id: string, over: Partial<Alert>): Alert => ({
      id,
      ruleId: 'provider-down',
      tier: 'page',
      status: 'firing',
      source: 'rules',
      summary: 'openai down',
      labels: { provider: 'openai' },
      firedAt: new Date(T0).toISOString(),
      ...over,
    });
    store.putAlert(alert('down-1', { status: 'resolved', resolvedAt: new Date(T0 + 600_000).toISOString() }));
    store.putAlert(alert('down-2', { firedAt: new Date(T0 + 3_600_000).toISOString() }));
    store.putAlert(alert('other', { ruleId: 'error-rate' }));
    store.close();
    const db = new Database(file);
    const row = db.prepare(
      `INSERT INTO rollups (minute, service, provider, model, count, errors, error_types, latency_sketch, tokens_in,
        tokens_out, cost_usd, unpriced, output_labels, retrieval_hits, retrieval_misses, feedback_up, feedback_down)
       VALUES (?, ?, ?, ?, ?, ?, '{}', x'00', 0, 0, 0, 0, '{}', 0, 0, 0, 0)`,
    );
    row.run(T0, 'chat', 'openai', 'gpt-4o', 10, 4);
    row.run(T0, 'chat', 'openai', 'gpt-4o-mini', 5, 1);
    row.run(T0 + 60_000, 'chat', 'anthropic', 'claude', 7, 0);
    db.close();
    const health = openHealthStore(file);
    expect(health.buckets(T0, T0 + 120_000).sort((a, b) => a.startMs - b.startMs)).toEqual([
      { startMs: T0, durationMs: 60_000, service: 'chat', provider: 'openai', count: 15, errors: 5 },
      { startMs: T0 + 60_000, durationMs: 60_000, service: 'chat', provider: 'anthropic', count: 7, errors: 0 },
    ]);
    const now = T0 + 7_200_000;
    expect(health.outages(T0, now, now).sort((a, b) => a.startMs - b.startMs)).toEqual([
      { provider: 'openai', startMs: T0, endMs: T0 + 600_000 },
      { provider: 'openai', startMs: T0 + 3_600_000, endMs: now },
    ]);
    health.close();
  });

  it('reads only the provider-down alerts that can overlap the range (not every alert ever)', () => {
    const file = join(tmp(), 'collector.db');
    const store = openStore(file, T0);
    const down = (id: string, firedAt: number, resolvedAt?: number): Alert => ({
      id,
      ruleId: 'provider-down',
      tier: 'page',
      status: resolvedAt === undefined ? 'firing' : 'resolved',
      source: 'rules',
      summary: 'openai down',
      labels: { provider: 'openai' },
      firedAt: new Date(firedAt).toISOString(),
      ...(resolvedAt !== undefined ? { resolvedAt: new Date(resolvedAt).toISOString() } : {}),
    });
    // A year of old outages, resolved long before the range, and of other alerts.
    for (let i = 0; i < 300; i++) {
      const at = T0 - (400 - i) * 86_400_000;
      store.putAlert(down(`old-${i}`, at, at + 600_000));
      store.putAlert({ ...down(`rate-${i}`, at), ruleId: 'error-rate' });
    }
    store.putAlert(down('in-range', T0 + 60_000, T0 + 120_000));
    store.putAlert(down('open-since-before', T0 - 86_400_000));
    store.putAlert(down('ended-at-from', T0 - 60_000, T0 + 500)); // resolvedAt within the slack second
    store.close();
    const health = openHealthStore(file);
    const parse = vi.spyOn(JSON, 'parse');
    const out = health.outages(T0, T0 + 3_600_000, T0 + 3_600_000);
    const parsed = parse.mock.calls.length;
    parse.mockRestore();
    expect(out.map((o) => o.startMs).sort((a, b) => a - b)).toEqual([T0 - 86_400_000, T0 - 60_000, T0 + 60_000]);
    expect(parsed).toBe(3);
    health.close();
  });
});

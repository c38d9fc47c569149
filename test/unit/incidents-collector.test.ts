import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.js';
import { emptyIncidentState, type IncidentCoreState } from '../../shared/incidents/schema.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import {
  amendAlert,
  coreNextDue,
  feedsCore,
  persistCore,
  restoreCore,
} from '../../electron/collector/incidents/core-diff.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { IncidentStore, StoredCore } from '../../electron/collector/store/incident-store.js';
import { isIncidentEntry } from '../../electron/collector/store/store.js';
import { wireIncidents } from '../integration/detection-harness.js';
import { alert as input, T0 } from '../fixtures/incidents.js';
import { wireAlert } from '../fixtures/wire-alert.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-incidents-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const stored = (id: string, over: Partial<Alert> = {}): Alert =>
  wireAlert(id, {
    summary: `${id} summary`,
    labels: { service: 'chat', provider: 'openai' },
    firedAt: new Date(T0).toISOString(),
    ...over,
  });

describe('core-diff (pure)', () => {
  it('feeds the core what it holds and what may page: not pending, not a resolved stranger', () => {
    const s = emptyIncidentState();
    expect(feedsCore(s, stored('a'))).toBe(true);
    expect(feedsCore(s, stored('a', { status: 'pending' }))).toBe(false);
    expect(feedsCore(s, stored('a', { status: 'resolved' }))).toBe(false);
    const held: IncidentCoreState = { ...s, alerts: { a: { ...input('a'), incidentId: 'inc-1' } } };
    expect(feedsCore(held, stored('a', { status: 'resolved' }))).toBe(true);
  });

  it('amends an alert with its incident, inhibition and silence; unchanged stays the same object', () => {
    const a = stored('a');
    const placed = amendAlert(a, { ...input('a'), incidentId: 'inc-1', silencedBy: 's1' });
    expect(placed).toMatchObject({ incidentId: 'inc-1', silencedBy: 's1' });
    expect(amendAlert(placed, { ...input('a'), incidentId: 'inc-1', silencedBy: 's1' })).toBe(placed);
    const unmuted = amendAlert(placed, { ...input('a'), incidentId: 'inc-1' });
    expect(unmuted.silencedBy).toBeUndefined();
    expect('silencedBy' in unmuted).toBe(false);
  });

  it('next due: a pending ring, a snooze end, silence edges; an overdue ring of a muted incident waits', () => {
    const base = emptyIncidentState();
    const incident = {
      id: 'inc-1',
      key: 'k',
      openedAt: T0,
      lastJoinAt: T0,
      status: 'firing' as const,
      tier: 'page' as const,
      title: 't',
      alertIds: ['a'],
      rings: 0,
      pendingRing: { reason: 'opened' as const, dueAt: T0 + 30_000 },
      textDirty: false,
    };
    const s: IncidentCoreState = {
      ...base,
      incidents: { 'inc-1': incident },
      alerts: { a: { ...input('a'), incidentId: 'inc-1' } },
    };
    expect(coreNextDue(s, T0)).toBe(T0 + 30_000);
    // Overdue and loud: now. Overdue but silenced: nothing (no timer spinning on it).
    expect(coreNextDue(s, T0 + 60_000)).toBe(T0 + 60_000);
    const muted = { ...s, alerts: { a: { ...input('a'), incidentId: 'inc-1', silencedBy: 's1' } } };
    expect(coreNextDue(muted, T0 + 60_000)).toBeUndefined();
    const withSilence: IncidentCoreState = {
      ...muted,
      silences: [
        {
          id: 's1',
          matchers: [{ name: 'service', op: '=', value: 'chat' }],
          startsAt: new Date(T0).toISOString(),
          endsAt: new Date(T0 + 90_000).toISOString(),
          createdBy: 'alice',
          comment: '',
        },
      ],
    };
    expect(coreNextDue(withSilence, T0 + 60_000)).toBe(T0 + 90_000);
  });

  it('persists only changed records, and restores what it persisted', () => {
    const rows = {
      meta: undefined as string | undefined,
      alerts: new Map<string, string>(),
      incidents: new Map<string, string>(),
    };
    let writes = 0;
    const store: IncidentStore = {
      loadCore: (): StoredCore | undefined =>
        rows.meta === undefined
          ? undefined
          : {
              meta: JSON.parse(rows.meta),
              alerts: [...rows.alerts].map(([k, v]) => [k, JSON.parse(v)]),
              incidents: [...rows.incidents].map(([k, v]) => [k, JSON.parse(v)]),
            },
      putCoreMeta: (j) => void (rows.meta = j),
      putCoreAlert: (id, j) => void (writes++, rows.alerts.set(id, j)),
      deleteCoreAlert: (id) => void rows.alerts.delete(id),
      putCoreIncident: (id, j) => void (writes++, rows.incidents.set(id, j)),
      deleteCoreIncident: (id) => void rows.incidents.delete(id),
      clearCore: () => undefined,
      get: () => undefined,
      getJson: () => undefined,
      put: () => undefined,
      list: () => [],
      allJson: () => [],
      maxNumber: () => 0,
      countOpen: () => 0,
    };
    const empty = emptyIncidentState();
    const one: IncidentCoreState = { ...empty, seq: 2, alerts: { a: { ...input('a'), incidentId: 'inc-1' } } };
    persistCore(store, empty, one);
    expect(writes).toBe(1);
    const two: IncidentCoreState = { ...one, alerts: { ...one.alerts, b: { ...input('b'), incidentId: 'inc-1' } } };
    persistCore(store, one, two);
    expect(writes).toBe(2); // only b
    const restored = restoreCore(store.loadCore() as StoredCore);
    expect(restored).toEqual(two);
    expect(() => restoreCore({ meta: { seq: 'x' }, alerts: [], incidents: [] })).toThrow();
  });
});

describe('the pipeline on a real store', () => {
  const at = (ms: number): Clock => ({ now: () => ms });

  it('at upgrade, open alerts are placed in incidents once; an invalid stored core starts empty without reusing ids', () => {
    const dir = tmp();
    const file = join(dir, 'collector.db');
    // Alerts stored by a collector without incidents (before migration 0009 took effect).
    let store = openStore(file, T0);
    const plain = new AlertService(store, at(T0), 'collector');
    plain.transact(() => {
      plain.record(stored('a1'), 'fired', T0, 'collector');
      plain.record(stored('a2', { labels: { service: 'search', provider: 'openai' } }), 'fired', T0, 'collector');
      plain.record(stored('a3', { status: 'resolved' }), 'fired', T0, 'collector');
    });
    const alerts = new AlertService(store, at(T0 + 1_000), 'collector');
    wireIncidents(store, alerts, at(T0 + 1_000));
    const placed = store.listAlerts();
    expect(placed.find((a) => a.id === 'a1')?.incidentId).toMatch(/^inc-/);
    expect(placed.find((a) => a.id === 'a2')?.incidentId).toMatch(/^inc-/);
    expect(placed.find((a) => a.id === 'a3')?.incidentId).toBeUndefined();
    const updates = store.logAfter(0, 100).filter((e) => !isIncidentEntry(e) && e.kind === 'updated');
    expect(updates.map((e) => e.note)).toEqual([expect.stringMatching(/^in incident inc-/), expect.any(String)]);
    const ids = store.incidents.list(undefined, 10).map((i) => i.id);
    expect(ids.sort()).toEqual(['inc-1', 'inc-2']);
    store.close();

    // A second start restores the core: nothing is re-placed.
    store = openStore(file, T0);
    const again = new AlertService(store, at(T0 + 2_000), 'collector');
    const before = store.lastSeq();
    wireIncidents(store, again, at(T0 + 2_000));
    expect(store.lastSeq()).toBe(before);
    // A damaged core row: start-up logs, starts empty and re-feeds; new ids continue after inc-2.
    const db = new Database(file);
    db.prepare('UPDATE incident_core SET state_json = \'{"seq": "broken"}\'').run();
    db.close();
    store.close();
    store = openStore(file, T0);
    const third = new AlertService(store, at(T0 + 3_000), 'collector');
    const incidents = wireIncidents(store, third, at(T0 + 3_000));
    const now = store.listAlerts().filter((a) => a.status !== 'resolved');
    expect(now.map((a) => a.incidentId).sort()).toEqual(['inc-3', 'inc-4']);
    expect(incidents.state().seq).toBe(5);
    store.close();
  });
});

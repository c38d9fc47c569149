import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { EscalateStage } from '../../electron/collector/incidents/escalate-stage.js';
import { IncidentCommands } from '../../electron/collector/incidents/incident-commands.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { isIncidentEntry, type CollectorStore, type StreamEntry } from '../../electron/collector/store/store.js';
import { wireIncidents } from '../integration/detection-harness.js';
import { T0 } from '../fixtures/incidents.js';
import { wireAlert } from '../fixtures/wire-alert.js';

/** Rebuilding the incident core at start-up (upgrade, damaged core) and incident commands' member entries. */

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-incidents-rebuild-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const iso = (ms: number): string => new Date(ms).toISOString();
const stored = (id: string, service: string, over: Partial<Alert> = {}): Alert =>
  wireAlert(id, { summary: `${id} summary`, labels: { service }, firedAt: iso(T0), ...over });

/** A clock the test moves. */
class TestClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

const WAIT_MS = defaultCollectorConfig().grouping.wait;
const HOUR = 3_600_000;

const log = (store: CollectorStore): StreamEntry[] => store.logAfter(0, 100_000);
const incidentOf = (store: CollectorStore, alertId: string): string => {
  const id = store.getAlert(alertId)?.incidentId;
  if (id === undefined) throw new Error(`alert ${alertId} has no incident`);
  return id;
};

describe('rebuilding the incident core', () => {
  it('keeps acknowledged and snoozed alerts quiet: no ring after the group wait, incidents acknowledged / snoozed', () => {
    const file = join(tmp(), 'collector.db');
    // Alerts stored by a collector without incidents (v8): acknowledged and snoozed ones among them.
    const store = openStore(file, T0);
    const plain = new AlertService(store, { now: () => T0 }, 'collector');
    const snoozeEnd = T0 + 2 * HOUR;
    plain.transact(() => {
      plain.record(
        stored('acked', 'chat', { status: 'acknowledged', acknowledgedBy: 'ana', acknowledgedAt: iso(T0 + 100) }),
        'fired',
        T0,
        'collector',
      );
      plain.record(stored('snoozed', 'search', { status: 'snoozed', snoozedUntil: iso(snoozeEnd) }), 'fired', T0, 'c');
      plain.record(
        stored('snoozed-later', 'search', { status: 'snoozed', snoozedUntil: iso(snoozeEnd + HOUR) }),
        'fired',
        T0,
        'c',
      );
      // Mixed acknowledged / snoozed: acknowledged wins.
      plain.record(
        stored('m-acked', 'db', { status: 'acknowledged', acknowledgedBy: 'bo', acknowledgedAt: iso(T0 + 200) }),
        'fired',
        T0,
        'c',
      );
      plain.record(stored('m-snoozed', 'db', { status: 'snoozed', snoozedUntil: iso(snoozeEnd) }), 'fired', T0, 'c');
      // One still firing: its incident rings as before.
      plain.record(stored('loud', 'billing'), 'fired', T0, 'c');
    });
    const clock = new TestClock(T0 + 1_000);
    const alerts = new AlertService(store, clock, 'collector');
    const incidents = wireIncidents(store, alerts, clock);
    const seqAfterRebuild = store.lastSeq();

    clock.t += WAIT_MS + 30_000;
    incidents.runDue();
    const rung = log(store).filter((e) => isIncidentEntry(e) && e.kind === 'notified' && e.seq > seqAfterRebuild);
    expect(rung.map((e) => (isIncidentEntry(e) ? e.incidentId : ''))).toEqual([incidentOf(store, 'loud')]);

    const inc = (alertId: string) => store.incidents.get(incidentOf(store, alertId));
    expect(inc('acked')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ana' });
    expect(inc('snoozed')).toMatchObject({ status: 'snoozed', snoozedUntil: iso(snoozeEnd) });
    expect(incidentOf(store, 'snoozed-later')).toBe(incidentOf(store, 'snoozed'));
    expect(inc('m-acked')).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'bo' });
    expect(incidentOf(store, 'm-snoozed')).toBe(incidentOf(store, 'm-acked'));
    expect(inc('loud')?.status).toBe('firing');
    // The stored alerts still say what people did.
    expect(store.getAlert('acked')?.status).toBe('acknowledged');
    expect(store.getAlert('snoozed')?.status).toBe('snoozed');
    // No page was opened for the quiet ones.
    expect(store.escalations.get(incidentOf(store, 'acked'))).toBeUndefined();
    expect(store.escalations.get(incidentOf(store, 'snoozed'))).toBeUndefined();

    // The snooze runs out at its earliest end: then it rings, and its members fire again.
    const beforeEnd = store.lastSeq();
    clock.t = snoozeEnd + 1_000;
    incidents.runDue();
    const woke = log(store).filter((e) => e.seq > beforeEnd);
    expect(
      woke.some((e) => isIncidentEntry(e) && e.kind === 'notified' && e.incidentId === incidentOf(store, 'snoozed')),
    ).toBe(true);
    expect(store.getAlert('snoozed')?.status).toBe('firing');
    expect(inc('acked')?.status).toBe('acknowledged');
    store.close();
  });

  it('closes the incidents the old core held: no ghost left firing, a `resolved` entry for each', () => {
    const file = join(tmp(), 'collector.db');
    let store = openStore(file, T0);
    const clock = new TestClock(T0);
    let alerts = new AlertService(store, clock, 'collector');
    let incidents = wireIncidents(store, alerts, clock);
    alerts.transact(() => {
      alerts.fire({
        ruleId: 'error-rate',
        tier: 'page',
        source: 'rules',
        summary: 's',
        labels: { service: 'chat' },
        firedAt: T0,
      });
    });
    clock.t += WAIT_MS + 1_000;
    incidents.runDue(); // it rang: a page with deadlines
    const [old] = store.incidents.list('firing', 10);
    expect(old?.id).toBe('inc-1');
    expect(store.escalations.get('inc-1')?.dueAt).not.toBeNull();
    store.close();

    // A damaged core row: the rebuild files the alert under a new id.
    const db = new Database(file);
    db.prepare('UPDATE incident_core SET state_json = \'{"seq": "broken"}\'').run();
    db.close();
    store = openStore(file, T0);
    clock.t += 1_000;
    const since = store.lastSeq();
    alerts = new AlertService(store, clock, 'collector');
    incidents = wireIncidents(store, alerts, clock);

    const firing = store.incidents.list('firing', 10).map((i) => i.id);
    expect(firing).not.toContain('inc-1');
    expect(firing).toEqual(['inc-2']);
    expect(store.incidents.get('inc-1')).toMatchObject({ status: 'resolved', resolvedAt: iso(clock.t) });
    const closed = log(store).filter((e) => e.seq > since && isIncidentEntry(e) && e.incidentId === 'inc-1');
    expect(closed).toEqual([expect.objectContaining({ kind: 'resolved', note: 'incident state rebuilt' })]);
    const page = store.escalations.get('inc-1');
    expect(page?.state.phase).toBe('resolved');
    expect(page?.dueAt).toBeNull();

    // An ack on the old id is a conflict, and the live incident takes it.
    const commands = new IncidentCommands({
      store,
      alerts,
      incidents,
      escalation: new EscalateStage(store.escalations, defaultCollectorConfig()),
      clock,
    });
    expect(commands.apply({ type: 'command', id: 'c1', kind: 'ack', incidentId: 'inc-1' }, 'ana')).toMatchObject({
      ok: false,
    });
    expect(commands.apply({ type: 'command', id: 'c2', kind: 'ack', incidentId: 'inc-2' }, 'ana')).toEqual({
      ok: true,
    });
    // A third start restores the core: nothing more is closed.
    store.close();
    store = openStore(file, T0);
    const seq = store.lastSeq();
    wireIncidents(store, new AlertService(store, clock, 'collector'), clock);
    expect(store.lastSeq()).toBe(seq);
    store.close();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
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
});

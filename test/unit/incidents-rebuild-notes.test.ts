import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { EscalateStage } from '../../electron/collector/incidents/escalate-stage.js';
import { IncidentCommands } from '../../electron/collector/incidents/incident-commands.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { isIncidentEntry } from '../../electron/collector/store/store.js';
import { wireIncidents } from '../integration/detection-harness.js';
import { T0 } from '../fixtures/incidents.js';

/** An incident command's note goes on the incident's entry; each member's entry stays short. */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

class TestClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

describe('incident commands on many members', () => {
  it('writes the note on the incident entry only; member entries stay short and keep the actor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-incident-notes-'));
    dirs.push(dir);
    const N = 300;
    const MEMBER_NOTE_MAX = 100;
    const store = openStore(join(dir, 'collector.db'), T0);
    const clock = new TestClock(T0);
    const alerts = new AlertService(store, clock, 'collector');
    const incidents = wireIncidents(store, alerts, clock);
    const commands = new IncidentCommands({
      store,
      alerts,
      incidents,
      escalation: new EscalateStage(store.escalations, defaultCollectorConfig()),
      clock,
    });
    alerts.transact(() => {
      for (let k = 0; k < N; k++) {
        alerts.fire({
          ruleId: 'error-rate',
          tier: 'page',
          source: 'rules',
          summary: `a${k}`,
          labels: { service: 'chat', n: String(k) },
          firedAt: T0,
        });
      }
    });
    const [incident] = store.incidents.list(undefined, 10);
    expect(incident?.alertIds).toHaveLength(N);
    const since = store.lastSeq();
    const note = 'x'.repeat(5_000);
    const cmd = { type: 'command' as const, id: 'ack-1', kind: 'ack' as const, incidentId: incident?.id, note };
    expect(commands.apply(cmd, 'ana')).toEqual({ ok: true });

    const entries = store.logAfter(since, 100_000);
    const members = entries.filter((e) => !isIncidentEntry(e) && e.kind === 'acknowledged');
    expect(members).toHaveLength(N);
    const memberNoteBytes = members.reduce((n, e) => n + (e.note?.length ?? 0), 0);
    expect(memberNoteBytes).toBeLessThanOrEqual(N * MEMBER_NOTE_MAX);
    for (const e of members) {
      expect(e.actor).toBe('ana');
      expect(e.note).toBe(`with incident ${incident?.id}`);
    }
    const own = entries.filter((e) => isIncidentEntry(e) && e.kind === 'acknowledged');
    expect(own).toEqual([expect.objectContaining({ actor: 'ana', note })]);
    store.close();
  });
});

import { describe, expect, it } from 'vitest';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import { flush, notifyPipeline, runPipeline } from '../../shared/incidents/pipeline.js';
import { applyAction } from '../../shared/incidents/incident-state.js';
import { defaultIncidentsConfig, emptyIncidentState, type IncidentCoreState } from '../../shared/incidents/schema.js';
import { EscalateStage } from '../../electron/collector/incidents/escalate-stage.js';
import type { EscalationRow, EscalationStore } from '../../electron/collector/store/escalation-store.js';
import { alert, SEC, T0 } from '../fixtures/incidents.js';

/** The escalate stage over an in-memory page table (the SQLite one has the same contract). */
function memoryStore(): EscalationStore & { rows: Map<string, EscalationRow> } {
  const rows = new Map<string, EscalationRow>();
  const due = () => [...rows.values()].filter((r) => r.dueAt !== null).sort((a, b) => (a.dueAt ?? 0) - (b.dueAt ?? 0));
  return {
    rows,
    get: (id) => rows.get(id),
    put: (r) => void rows.set(r.incidentId, r),
    nextDue: () => due()[0]?.dueAt ?? undefined,
    firstDue: (now) => due().find((r) => (r.dueAt ?? Infinity) <= now),
  };
}

const config = defaultCollectorConfig();
const stages = notifyPipeline({
  ...defaultIncidentsConfig(),
  grouping: { ...defaultIncidentsConfig().grouping, wait: 0 },
});

function setup() {
  const store = memoryStore();
  const counted: string[] = [];
  const stage = new EscalateStage(store, { escalation: config.escalation, rotation: undefined }, (k) =>
    counted.push(k),
  );
  return { store, stage, counted };
}

function ringAll(stage: EscalateStage, s: IncidentCoreState, now: number) {
  const f = flush(s, now);
  return stage.rings(f.state, f.notifications, now);
}

describe('escalate stage', () => {
  it('the first ring of a page incident opens the page at level 1 and is its one `notified` entry', () => {
    const { store, stage, counted } = setup();
    let s = runPipeline(
      stages,
      emptyIncidentState(),
      {
        kind: 'alerts',
        alerts: [alert('a', { labels: { service: 'chat' } }), alert('b', { labels: { service: 'chat' } })],
      },
      T0,
    );
    const r = ringAll(stage, s, T0);
    s = r.state;
    expect(r.entries).toEqual([{ incidentId: 'inc-1', kind: 'notified', note: 'paged: primary (level 1)' }]);
    expect(s.incidents['inc-1']?.escalation).toMatchObject({ level: 1, target: 'primary', nextTarget: 'secondary' });
    expect(store.rows.get('inc-1')?.state.notifications).toBe(1);
    expect(counted).toEqual(['opened']);
    // Flushing again rings nothing more.
    expect(ringAll(stage, s, T0 + SEC).entries).toEqual([]);
  });

  it('tickets ring nobody without a policy for their tier', () => {
    const { store, stage } = setup();
    const s = runPipeline(stages, emptyIncidentState(), { kind: 'alert', alert: alert('t', { tier: 'ticket' }) }, T0);
    expect(ringAll(stage, s, T0).entries).toEqual([]);
    expect(store.rows.size).toBe(0);
  });

  it('acknowledging quiets the page; its deadlines no longer fire', () => {
    const { store, stage } = setup();
    let s = runPipeline(stages, emptyIncidentState(), { kind: 'alert', alert: alert('a') }, T0);
    s = ringAll(stage, s, T0).state;
    const before = s.incidents['inc-1'];
    s = applyAction(s, 'inc-1', { kind: 'ack', by: 'alice' }, T0 + SEC).state;
    s = stage.followStatus(s, before, s.incidents['inc-1']!, T0 + SEC);
    expect(store.rows.get('inc-1')?.state.phase).toBe('acknowledged');
    expect(store.nextDue()).toBeUndefined();
    expect(stage.runDue(s, T0 + 10 * 3_600_000).entries).toEqual([]);
  });

  it('re-notifies on its deadline, escalates on the ack SLA; a muted incident is postponed, not rung', () => {
    const { store, stage, counted } = setup();
    let s = runPipeline(stages, emptyIncidentState(), { kind: 'alert', alert: alert('a') }, T0);
    s = ringAll(stage, s, T0).state;
    const renotify = config.escalation.tiers.page.renotifyEvery;
    const r = stage.runDue(s, T0 + renotify);
    expect(r.entries).toEqual([
      expect.objectContaining({ kind: 'notified', note: expect.stringMatching(/^re-notified/) }),
    ]);
    expect(counted).toContain('renotify');
    // Silenced: the next deadline passes without a notification.
    const muted: IncidentCoreState = {
      ...r.state,
      alerts: { a: { ...r.state.alerts.a!, silencedBy: 's1' } },
    };
    const quiet = stage.runDue(muted, T0 + 2 * renotify);
    expect(quiet.entries).toEqual([]);
    expect(store.nextDue()).toBeGreaterThan(T0 + 2 * renotify);
    // The escalate command's refusal at the last level.
    expect(stage.refuseEscalate(r.state.incidents['inc-1']!)).toBeUndefined();
  });
});

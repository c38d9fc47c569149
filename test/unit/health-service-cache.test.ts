import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HEALTH_CACHE_TTL_MS, HealthService } from '../../electron/collector/health/health-service.js';
import { openHealthStore } from '../../electron/collector/health/health-store.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { HEALTH_PULL_GAP_MS } from '../../electron/main/services/health/index.js';
import { healthViewRange } from '../../electron/main/services/health/health-range.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import { RotationConfig } from '../../shared/rotation/schema.js';
import { chatIncident, tmpDirs } from '../fixtures/collector-db.js';

/**
 * The collector answers health queries on its one thread: the same range asked again with no new
 * health-log entry, pulse or rotation change is served from a cache, and desktops ask at most
 * every HEALTH_PULL_GAP_MS, for a range ending on a whole minute (so they ask the same one).
 */
const tmp = tmpDirs();

const T0 = Date.parse('2026-03-24T09:00:00Z');
const incident = chatIncident(T0);

describe('health answers on the collector', () => {
  it('reuses an answer until the log, the pulses or the rotation change, or it is a minute old', () => {
    const dir = tmp('vigil-health-cache-');
    const file = join(dir, 'collector.db');
    const store = openStore(file, T0);
    const parsed = parseCollectorConfig({});
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const settings: { escalation: typeof parsed.config.escalation; rotation: RotationConfig | undefined } = {
      escalation: parsed.config.escalation,
      rotation: undefined,
    };
    const clock = { t: T0 + 3_600_000 };
    const svc = new HealthService(openHealthStore(file), settings, { now: () => clock.t }, 400 * 86_400_000);
    const { fromMs, toMs } = healthViewRange(undefined, clock.t + 1);
    const q = new URLSearchParams({ from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() });

    const first = svc.answer(q);
    expect(svc.answer(q)).toBe(first);
    expect(svc.computed).toBe(1);

    store.appendIncidentLog({
      at: T0,
      incidentId: 'inc-1',
      kind: 'notified',
      incident,
      note: 'paged: alice (level 1)',
    });
    const second = svc.answer(q);
    expect(second.pages).toBe(1);
    expect(svc.computed).toBe(2);

    settings.rotation = RotationConfig.parse({ roster: ['alice', 'bob'] });
    svc.answer(q);
    svc.answer(q);
    expect(svc.computed).toBe(3);

    // Alice handed primary over on Monday 23 March, 09:00 UTC.
    const pulse = (id: string, shiftEnd: string, actor = 'alice') =>
      svc.pulse({ type: 'command', id, kind: 'pulse', pulse: { shiftEnd, score: 3, comment: 'busy' } }, actor);
    expect(pulse('p1', '2026-03-23T09:00:00.000Z')).toEqual({ ok: true });
    const withPulse = svc.answer(q);
    expect(svc.computed).toBe(4);
    expect(withPulse.pulse.flatMap((p) => p.comments ?? [])).toEqual([
      { shiftEnd: '2026-03-23T09:00:00.000Z', score: 3, comment: 'busy' },
    ]);

    clock.t += HEALTH_CACHE_TTL_MS;
    svc.answer(q);
    expect(svc.computed).toBe(5);
    svc.close();
    store.close();
  });

  it("refuses a pulse for an instant that is not one of the actor's shift ends, or without a rotation", () => {
    const dir = tmp('vigil-health-pulse-');
    const file = join(dir, 'collector.db');
    openStore(file, T0).close();
    const parsed = parseCollectorConfig({});
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const settings: { escalation: typeof parsed.config.escalation; rotation: RotationConfig | undefined } = {
      escalation: parsed.config.escalation,
      rotation: undefined,
    };
    const svc = new HealthService(openHealthStore(file), settings, { now: () => T0 + 3_600_000 }, 400 * 86_400_000);
    const pulse = (id: string, shiftEnd: string, actor = 'alice') =>
      svc.pulse({ type: 'command', id, kind: 'pulse', pulse: { shiftEnd, score: 3 } }, actor);
    expect(pulse('n0', '2026-03-23T09:00:00.000Z')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^pulse: /),
    });
    settings.rotation = RotationConfig.parse({ roster: ['alice', 'bob', 'carol'] });
    expect(pulse('n1', '2026-03-23T10:00:00.000Z')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^pulse\.shiftEnd: no shift of alice ends/),
    });
    expect(pulse('n2', '2026-03-23T09:00:00.000Z', 'mallory')).toMatchObject({ ok: false });
    // Some shift ends at that handoff for exactly the people whose role ended then.
    const holders = ['alice', 'bob', 'carol'].filter((u) => pulse(`ok-${u}`, '2026-03-23T09:00:00.000Z', u).ok);
    expect(holders.length).toBeGreaterThanOrEqual(1);
    expect(holders.length).toBeLessThanOrEqual(2);
    svc.close();
  });

  it('desktops ask at most every 30 s, for the same range within a minute', () => {
    expect(HEALTH_PULL_GAP_MS).toBeGreaterThanOrEqual(30_000);
    const t = Date.parse('2026-03-24T09:00:10.500Z');
    expect(healthViewRange(undefined, t)).toEqual(healthViewRange(undefined, t + 40_000));
    expect(healthViewRange(undefined, t).toMs).toBe(Date.parse('2026-03-24T09:01:00Z'));
  });
});

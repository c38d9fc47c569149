import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../shared/clock.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { createFleet } from '../../shared/sim/fleet.js';
import { removeDir, Replay, tempDir } from './detection-harness.js';
import { MIGRATION, QUIET_MONTH_START, quietMonthFleet } from './detection-quiet-cases.js';

/**
 * Issue 13, items 3–5: many scopes must not turn noise into signal. The whole quiet month
 * (test/integration/detection-quiet-cases.ts: 30 services from 2 to 200 requests a minute,
 * nights, weekends, a holiday, 20% growth, a new service, a model migration), replayed at the
 * rollup level through the real store and rule runtime, in event time: nobody is paged, at most
 * one ticket is raised (so at most one in any week), the migration raises only its weekly review
 * item and the new service nothing. `npm run bench -- --only=quiet-month` replays the same month
 * and prints where its time goes.
 */
const DAYS = 30;
let alerts: Alert[] = [];
let events = 0;
const dir = tempDir();

beforeAll(() => {
  const r = new Replay(dir, QUIET_MONTH_START);
  r.feedBuckets(createFleet(quietMonthFleet()), QUIET_MONTH_START, QUIET_MONTH_START + DAYS * DAY_MS, HOUR_MS);
  alerts = r.alerts();
  events = r.events;
  r.close();
}, 600_000);

afterAll(() => removeDir(dir));

describe('a quiet month of 30 services at 2–200 req/min', () => {
  const list = () => alerts.map((a) => `${a.tier} ${a.ruleId} ${a.firedAt} ${a.summary}`).join('\n');
  it('replays the month: tens of millions of requests', () => {
    expect(events).toBeGreaterThan(30_000_000);
  });
  it('pages nobody', () => {
    expect(
      alerts.filter((a) => a.tier === 'page'),
      list(),
    ).toEqual([]);
  });
  it('raises at most one ticket', () => {
    expect(alerts.filter((a) => a.tier === 'ticket').length, list()).toBeLessThanOrEqual(1);
  });
  it('the model migration raises only the weekly review item; the new service nothing', () => {
    const migrated = alerts.filter((a) => a.labels.service === MIGRATION.service);
    expect(
      migrated.map((a) => `${a.tier} ${a.ruleId}`),
      list(),
    ).toEqual(['review model-version-change']);
    expect(migrated[0]?.summary).toMatch(/^new model gpt-4\.1-mini seen on svc-10/);
    expect(
      alerts.filter((a) => a.labels.service === 'svc-new'),
      list(),
    ).toEqual([]);
    expect(
      alerts.filter((a) => a.tier === 'review' && a.labels.service !== MIGRATION.service),
      list(),
    ).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/clock.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { createFleet, fleetOf } from '../../shared/sim/fleet.js';
import { removeDir, Replay, tempDir } from './detection-harness.js';

/**
 * Issue 13, items 3–5: many scopes must not turn noise into signal. A quiet week of 30 services
 * from 2 to 200 requests a minute at the weekday peak (a quarter of that at night, half at the
 * weekend and on a holiday, +20% a month of growth; 0.5% background errors, 15% thumbs-down, 80%
 * retrieval hits), a new service and a model migration, replayed at the rollup level through the
 * real store and rule runtime, in event time: nobody is paged, at most one ticket is raised, and
 * the migration raises only its weekly review item. (`npm run bench` replays a whole month.)
 */
export const FLEET_START = Date.UTC(2026, 10, 2); // a Monday
export const FLEET_SIZE = 30;
const NEW_AT = FLEET_START + DAY_MS + 12 * 60 * 60 * 1000;

let alerts: Alert[] = [];
let events = 0;
const dir = tempDir();

beforeAll(() => {
  const fleet = createFleet({
    seed: 13,
    services: [
      ...fleetOf(FLEET_SIZE, 2, 200),
      // A new service, behaving normally, from Tuesday noon.
      { service: 'svc-new', provider: 'openai', model: 'gpt-4o-mini', peakPerMin: 20, rag: true, since: NEW_AT },
    ],
    start: FLEET_START,
    growthPerMonth: 0.2,
    weekendFactor: 0.5,
    holidays: [FLEET_START + 3 * DAY_MS], // Thursday
    // svc-10 moves its traffic to another model over Wednesday.
    migrations: [{ service: 'svc-10', toModel: 'gpt-4.1-mini', at: FLEET_START + 2 * DAY_MS, overMs: DAY_MS }],
  });
  const r = new Replay(dir, FLEET_START);
  r.feedBuckets(fleet, FLEET_START, FLEET_START + 7 * DAY_MS);
  alerts = r.alerts();
  events = r.events;
  r.close();
}, 600_000);

afterAll(() => removeDir(dir));

describe('a quiet week of 30 services at 2–200 req/min', () => {
  const list = () => alerts.map((a) => `${a.tier} ${a.ruleId} ${a.firedAt} ${a.summary}`).join('\n');
  it('replays millions of requests', () => {
    expect(events).toBeGreaterThan(5_000_000);
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
    const migrated = alerts.filter((a) => a.labels.service === 'svc-10');
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
      alerts.filter((a) => a.tier === 'review' && a.labels.service !== 'svc-10'),
      list(),
    ).toEqual([]);
  });
});

import { DAY_MS, HOUR_MS } from '../../shared/clock.js';
import { fleetOf, type FleetOptions, type FleetService } from '../../shared/sim/fleet.js';

/**
 * The quiet month of issue 13, in one place for test/integration/detection-fleet.test.ts
 * (asserted) and bench/detection-fleet.ts (printed, with where the replay's time goes): 30 services from
 * 2 to 200 requests a minute at the weekday peak (a quarter of that at night, half at the weekend
 * and on a holiday, +20% a month of growth; 0.5% background errors, 15% thumbs-down, 80%
 * retrieval hits), a new service from the second day and a model migration on the third, a
 * holiday on the first Thursday.
 */
export const QUIET_MONTH_START = Date.UTC(2026, 10, 2); // a Monday
export const QUIET_MONTH_SERVICES = 30;
/** A new service, behaving normally, from Tuesday noon. */
export const NEW_SERVICE_AT = QUIET_MONTH_START + DAY_MS + 12 * HOUR_MS;
/** svc-10 moves its traffic to another model over Wednesday. */
export const MIGRATION = {
  service: 'svc-10',
  toModel: 'gpt-4.1-mini',
  at: QUIET_MONTH_START + 2 * DAY_MS,
  overMs: DAY_MS,
};

export function quietMonthFleet(seed = 13): FleetOptions {
  const services: FleetService[] = [
    ...fleetOf(QUIET_MONTH_SERVICES, 2, 200),
    { service: 'svc-new', provider: 'openai', model: 'gpt-4o-mini', peakPerMin: 20, rag: true, since: NEW_SERVICE_AT },
  ];
  return {
    seed,
    services,
    start: QUIET_MONTH_START,
    growthPerMonth: 0.2,
    weekendFactor: 0.5,
    holidays: [QUIET_MONTH_START + 3 * DAY_MS], // Thursday
    migrations: [MIGRATION],
  };
}

import { performance } from 'node:perf_hooks';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../shared/clock.js';
import type { Alert, Tier } from '../shared/protocol/alert.js';
import { createFleet, fleetOf, type FleetIncident, type FleetService } from '../shared/sim/fleet.js';
import { branch, removeDir, Replay, tempDir } from '../test/integration/detection-harness.js';
import { fmt, printTable } from './stats.js';

/**
 * Detection v2 figures (issue 13), from the bucket-level fleet simulator through the real store
 * and rule runtime, in event time:
 * - time to detect per scenario with the target service at 2, 20 and 200 req/min (weekday peak),
 *   on its own provider, after a week of normal history, starting Wednesday 13:00 UTC;
 * - false pages / tickets / reviews over a quiet month of 30 services at 2–200 req/min with
 *   weekends, a holiday, 20% growth, a new service and a model migration.
 */
const START = Date.UTC(2026, 10, 2); // Monday
const INCIDENT = START + 9 * DAY_MS + 13 * HOUR_MS; // Wednesday of the second week, 13:00

interface FleetScenario {
  name: string;
  ruleId: string;
  tier: Tier;
  maxDetectMs: number;
  incident: Omit<FleetIncident, 'since' | 'until'>;
}

export const FLEET_SCENARIOS: readonly FleetScenario[] = [
  {
    name: 'total provider outage',
    ruleId: 'provider-down',
    tier: 'page',
    maxDetectMs: 2 * MINUTE_MS,
    incident: { kind: 'outage', provider: 'solo', rate: 1 },
  },
  {
    name: 'partial provider outage (85%)',
    ruleId: 'provider-down',
    tier: 'page',
    maxDetectMs: 5 * MINUTE_MS,
    incident: { kind: 'outage', provider: 'solo', rate: 0.85 },
  },
  {
    name: 'error spike (20%)',
    ruleId: 'error-rate',
    tier: 'page',
    maxDetectMs: 30 * MINUTE_MS,
    incident: { kind: 'errors', service: 'target', rate: 0.2 },
  },
  {
    name: 'retrieval drop (80% → 45%)',
    ruleId: 'retrieval-drop',
    tier: 'ticket',
    maxDetectMs: 60 * MINUTE_MS,
    incident: { kind: 'retrieval', service: 'target', rate: 0.45 },
  },
  {
    name: 'negative feedback (15% → 60%)',
    ruleId: 'negative-feedback',
    tier: 'ticket',
    maxDetectMs: 60 * MINUTE_MS,
    incident: { kind: 'feedback', service: 'target', rate: 0.6 },
  },
];

export const TRAFFIC_LEVELS = [2, 20, 200] as const;

function target(peakPerMin: number): FleetService {
  return { service: 'target', provider: 'solo', model: 'solo-1', peakPerMin, rag: true };
}

/** Time to detect (event time) of one scenario at one level, branched from a week of history. */
function timeToDetect(snapshot: string, level: number, sc: FleetScenario): { alert?: Alert; ttdMin: number } {
  const dir = branch(snapshot);
  const services = [target(level), ...fleetOf(3, 5, 50)];
  const incident = { ...sc.incident, since: INCIDENT, until: INCIDENT + 3 * HOUR_MS } as FleetIncident;
  const fleet = createFleet({ seed: 21, services, start: START, incidents: [incident] });
  const r = new Replay(dir, INCIDENT);
  let alert: Alert | undefined;
  const horizon = INCIDENT + 3 * sc.maxDetectMs + 10 * MINUTE_MS;
  for (let t = INCIDENT; t < horizon && !alert; t += MINUTE_MS) {
    r.feedBuckets(fleet, t, t + MINUTE_MS, MINUTE_MS);
    alert = r.alerts().find((a) => a.ruleId === sc.ruleId);
  }
  r.close();
  removeDir(dir);
  return { ...(alert ? { alert } : {}), ttdMin: alert ? (Date.parse(alert.firedAt) - INCIDENT) / MINUTE_MS : NaN };
}

export function benchDetectionLevels(): void {
  const started = performance.now();
  const rows: Record<string, string | number>[] = [];
  for (const level of TRAFFIC_LEVELS) {
    const services = [target(level), ...fleetOf(3, 5, 50)];
    const dir = tempDir();
    const r = new Replay(dir, START);
    r.feedBuckets(createFleet({ seed: 21, services, start: START }), START, INCIDENT, HOUR_MS);
    const quiet = r.alerts();
    r.close();
    const snapshot = branch(dir);
    removeDir(dir);
    for (const sc of FLEET_SCENARIOS) {
      const { alert, ttdMin } = timeToDetect(snapshot, level, sc);
      rows.push({
        scenario: sc.name,
        'req/min (peak)': level,
        rule: sc.ruleId,
        tier: alert?.tier ?? 'none',
        'time to detect': alert ? `${fmt(ttdMin, 0)} min` : 'not detected',
        'max allowed': `${sc.maxDetectMs / MINUTE_MS} min`,
        ok: alert && alert.tier === sc.tier && ttdMin * MINUTE_MS <= sc.maxDetectMs ? 'yes' : 'NO',
        'alerts before': quiet.length,
      });
    }
    removeDir(snapshot);
  }
  printTable(
    `Detection v2: time to detect at 2, 20 and 200 req/min (Wednesday 13:00 UTC, after 9 days of history; ${fmt((performance.now() - started) / 1000, 1)} s)`,
    rows,
  );
}

/** False alerts over a quiet month of 30 services (plus a new one), with the calendar and changes of issue 13. */
export function benchQuietMonth(days = 30): void {
  const started = performance.now();
  const services: FleetService[] = [
    ...fleetOf(30, 2, 200),
    {
      service: 'svc-new',
      provider: 'openai',
      model: 'gpt-4o-mini',
      peakPerMin: 20,
      rag: false,
      since: START + 10 * DAY_MS,
    },
  ];
  const fleet = createFleet({
    seed: 30,
    services,
    start: START,
    growthPerMonth: 0.2,
    weekendFactor: 0.5,
    holidays: [START + 24 * DAY_MS], // a Thursday
    migrations: [{ service: 'svc-10', toModel: 'gpt-4.1-mini', at: START + 15 * DAY_MS, overMs: DAY_MS }],
  });
  const dir = tempDir();
  const r = new Replay(dir, START);
  r.feedBuckets(fleet, START, START + days * DAY_MS, HOUR_MS);
  const all = r.alerts();
  const events = r.events;
  r.close();
  removeDir(dir);
  const count = (tier: string): number => all.filter((a) => a.tier === tier).length;
  printTable(`False alerts over a quiet month (${days} days, 31 services at 2–200 req/min)`, [
    {
      requests: fmt(events, 0),
      'false pages': count('page'),
      'false tickets': count('ticket'),
      reviews: count('review'),
      'replay time': `${fmt((performance.now() - started) / 1000, 1)} s`,
    },
  ]);
  for (const a of all) console.log(`  ${a.tier} ${a.ruleId} ${a.firedAt} ${a.summary}`);
}

import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import type { Alert, Tier } from '../../shared/protocol/alert.js';
import {
  createFleet,
  fleetOf,
  type FleetEvalSuite,
  type FleetIncident,
  type FleetOptions,
  type FleetService,
} from '../../shared/sim/fleet.js';
import { EFFECTS } from '../../shared/sim/scenarios.js';
import { branch, removeDir, Replay, tempDir } from './detection-harness.js';

/**
 * Detection v2 (issue 13): every scenario at three traffic levels, on the bucket-level fleet
 * simulator through the real store and rule runtime, in event time. The target service runs at
 * 2, 20 or 200 req/min at the weekday peak on a provider of its own, next to three small
 * services; the incident starts on a Wednesday at 13:00 UTC after `historyDays` of normal
 * history. Used by test/integration/detection-levels.test.ts (asserts) and
 * bench/detection-fleet.ts (prints).
 */
export const LEVELS_START = Date.UTC(2026, 10, 2); // Monday

export interface LevelScenario {
  name: string;
  ruleId: string;
  tier: Tier;
  /** The scenario's window: detected at most this long after its start (event time). */
  maxDetectMs: number;
  incident: Omit<FleetIncident, 'since' | 'until'>;
}

const SUITE = 'target-faithfulness';
const TARGET_EVALS: readonly FleetEvalSuite[] = [{ suite: SUITE, baseAccuracy: 0.88, total: 300, minuteOfHour: 19 }];

/** The windows are the per-event replay's (test/integration/detection-cases.ts) and the issue's. */
export const LEVEL_SCENARIOS: readonly LevelScenario[] = [
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
    incident: { kind: 'outage', provider: 'solo', rate: EFFECTS.outageFailureRate },
  },
  {
    name: 'error spike (20%)',
    ruleId: 'error-rate',
    tier: 'page',
    maxDetectMs: 30 * MINUTE_MS,
    incident: { kind: 'errors', service: 'target', rate: EFFECTS.errorSpikeRate },
  },
  {
    name: 'latency regression (3x)',
    ruleId: 'latency-p95',
    tier: 'page',
    maxDetectMs: 30 * MINUTE_MS,
    incident: { kind: 'latency', service: 'target', rate: EFFECTS.latencyFactor },
  },
  {
    name: 'cost bug (10x)',
    ruleId: 'cost-anomaly',
    tier: 'page',
    maxDetectMs: 30 * MINUTE_MS,
    incident: { kind: 'cost', service: 'target', rate: 10 },
  },
  {
    name: 'eval regression (-20 points)',
    ruleId: 'eval-accuracy',
    tier: 'page',
    maxDetectMs: 90 * MINUTE_MS,
    incident: { kind: 'eval', suite: SUITE, rate: EFFECTS.evalAccuracyDrop },
  },
  {
    name: 'output drift (mix flattened)',
    ruleId: 'output-drift',
    tier: 'ticket',
    maxDetectMs: 90 * MINUTE_MS,
    incident: { kind: 'drift', service: 'target', rate: EFFECTS.driftExponent },
  },
  {
    name: 'retrieval drop (80% → 45%)',
    ruleId: 'retrieval-drop',
    tier: 'ticket',
    maxDetectMs: 60 * MINUTE_MS,
    incident: { kind: 'retrieval', service: 'target', rate: EFFECTS.retrievalHitRate },
  },
  {
    name: 'negative feedback (15% → 60%)',
    ruleId: 'negative-feedback',
    tier: 'ticket',
    maxDetectMs: 60 * MINUTE_MS,
    incident: { kind: 'feedback', service: 'target', rate: EFFECTS.negativeDownShare },
  },
];

export const TRAFFIC_LEVELS = [2, 20, 200] as const;

/** The fleet around a target at `level` req/min (peak), with `incidents`. */
export function levelFleet(level: number, incidents: readonly FleetIncident[] = []): FleetOptions {
  const services: FleetService[] = [
    { service: 'target', provider: 'solo', model: 'solo-1', peakPerMin: level, rag: true },
    ...fleetOf(3, 5, 50),
  ];
  return { seed: 21, services, start: LEVELS_START, incidents, evalSuites: TARGET_EVALS };
}

/** Wednesday 13:00 UTC after `historyDays` (2.5: the Wednesday of the first week; 9.5: of the second). */
export function incidentStart(historyDays: number): number {
  return LEVELS_START + Math.floor(historyDays) * DAY_MS + 13 * HOUR_MS;
}

/** A closed replay of the normal history up to the incident (a snapshot dir to branch from) and its alerts. */
export function replayHistory(level: number, historyDays: number): { snapshot: string; alerts: Alert[] } {
  const dir = tempDir();
  const r = new Replay(dir, LEVELS_START);
  r.feedBuckets(createFleet(levelFleet(level)), LEVELS_START, incidentStart(historyDays), HOUR_MS);
  const alerts = r.alerts();
  r.close();
  const snapshot = branch(dir);
  removeDir(dir);
  return { snapshot, alerts };
}

export interface LevelResult {
  /** The scenario's alert (fired at or after the incident's start), if any. */
  alert?: Alert;
  /** firedAt - start, in event-time minutes (NaN when not detected). */
  ttdMin: number;
  /** Detected at its tier within its window. */
  ok: boolean;
  /** Everything raised after the start, for failure messages. */
  raised: string[];
}

/**
 * Branches the snapshot, runs the incident from `start` for up to three times its window (in
 * 10-minute chunks: `firedAt` is the evaluated minute's event time, whatever the chunking) and
 * reports the scenario's alert.
 */
export function detectAt(snapshot: string, level: number, sc: LevelScenario, start: number): LevelResult {
  const dir = branch(snapshot);
  const incident = { ...sc.incident, since: start, until: start + 4 * HOUR_MS } as FleetIncident;
  const fleet = createFleet(levelFleet(level, [incident]));
  const r = new Replay(dir, start);
  const fresh = (): Alert[] => r.alerts().filter((a) => Date.parse(a.firedAt) >= start);
  const find = (): Alert | undefined => fresh().find((a) => a.ruleId === sc.ruleId && a.status !== 'pending');
  const horizon = start + 3 * sc.maxDetectMs + 10 * MINUTE_MS;
  const chunk = Math.min(10 * MINUTE_MS, sc.maxDetectMs);
  let alert: Alert | undefined;
  for (let t = start; t < horizon && !alert; t += chunk) {
    r.feedBuckets(fleet, t, Math.min(horizon, t + chunk), chunk);
    alert = find();
  }
  const raised = fresh().map((a) => `${a.tier} ${a.ruleId} ${a.firedAt} ${a.summary}`);
  r.close();
  removeDir(dir);
  const ttdMin = alert ? (Date.parse(alert.firedAt) - start) / MINUTE_MS : NaN;
  const ok = alert !== undefined && alert.tier === sc.tier && ttdMin * MINUTE_MS <= sc.maxDetectMs;
  return { ...(alert ? { alert } : {}), ttdMin, ok, raised };
}

import { performance } from 'node:perf_hooks';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../shared/clock.js';
import type { Alert } from '../shared/protocol/alert.js';
import { createFleet } from '../shared/sim/fleet.js';
import { removeDir, Replay, tempDir } from '../test/integration/detection-harness.js';
import {
  BELOW_EVIDENCE,
  LEVEL_SCENARIOS,
  detectLevels,
  incidentStart,
  replayHistory,
} from '../test/integration/detection-levels-cases.js';
import { quietMonthFleet, QUIET_MONTH_START } from '../test/integration/detection-quiet-cases.js';
import { fmt, printTable } from './stats.js';

/**
 * Detection v2 figures (issue 13), from the bucket-level fleet simulator through the real store
 * and rule runtime, in event time:
 * - time to detect per scenario with the target at 2, 20 and 200 req/min (weekday peak), on its
 *   own provider, after 9.5 days of normal history, starting Wednesday 13:00 UTC (the same cases
 *   test/integration/detection-levels.test.ts asserts after 2.5 days);
 * - false pages / tickets / reviews over a quiet month of 30 services at 2–200 req/min with
 *   weekends, a holiday, 20% growth, a new service and a model migration.
 */
const HISTORY_DAYS = 9.5;

/**
 * The one false-alert row both "quiet" tables print (the per-event week in bench/detection.ts and
 * the fleet month here): counts per tier, with whatever else the caller measured.
 */
export function falseAlertRow(
  alerts: readonly Alert[],
  extra: Record<string, string | number>,
): Record<string, string | number> {
  const count = (tier: string): number => alerts.filter((a) => a.tier === tier).length;
  return {
    ...extra,
    'false pages': count('page'),
    'false tickets': count('ticket'),
    reviews: count('review'),
  };
}

export function benchDetectionLevels(): void {
  const started = performance.now();
  const { snapshot, alerts: before } = replayHistory(HISTORY_DAYS);
  const start = incidentStart(HISTORY_DAYS);
  const rows: Record<string, string | number>[] = [];
  for (const sc of LEVEL_SCENARIOS) {
    const { results } = detectLevels(snapshot, sc, start);
    for (const r of results) {
      const below = BELOW_EVIDENCE.find((b) => b.scenario === sc.name && b.level === r.level);
      rows.push({
        scenario: sc.name,
        'req/min (peak)': r.level,
        rule: sc.ruleId,
        tier: r.alert?.tier ?? 'none',
        'time to detect': r.alert ? `${fmt(r.ttdMin, 0)} min` : `not within ${(3 * sc.maxDetectMs) / MINUTE_MS} min`,
        'max allowed': below
          ? `${below.maxDetectMs / MINUTE_MS} min (below evidence)`
          : `${sc.maxDetectMs / MINUTE_MS} min`,
        ok: r.ok ? 'yes' : below && r.alert && r.ttdMin * MINUTE_MS <= below.maxDetectMs ? 'yes, below evidence' : 'NO',
      });
    }
  }
  removeDir(snapshot);
  rows.sort((a, b) => Number(a['req/min (peak)']) - Number(b['req/min (peak)']));
  printTable(
    `Detection v2: time to detect at 2, 20 and 200 req/min (Wednesday 13:00 UTC, after ${HISTORY_DAYS} days of history, ` +
      `${before.length} alerts during it; ${fmt((performance.now() - started) / 1000, 1)} s)`,
    rows,
  );
  for (const a of before) console.log(`  during the history: ${a.tier} ${a.ruleId} ${a.firedAt} ${a.summary}`);
}

/** False alerts over a quiet month of 30 services (plus a new one), with the calendar and changes of issue 13. */
export function benchQuietMonth(days = 30): void {
  const started = performance.now();
  const dir = tempDir();
  const r = new Replay(dir, QUIET_MONTH_START);
  r.feedBuckets(createFleet(quietMonthFleet()), QUIET_MONTH_START, QUIET_MONTH_START + days * DAY_MS, HOUR_MS);
  const all = r.alerts();
  const events = r.events;
  const spent = { ...r.spent };
  r.close();
  removeDir(dir);
  const total = performance.now() - started;
  printTable(`False alerts over a quiet month (${days} days, 31 services at 2–200 req/min)`, [
    falseAlertRow(all, {
      requests: fmt(events, 0),
      'replay time': `${fmt(total / 1000, 1)} s`,
    }),
  ]);
  for (const a of all) console.log(`  ${a.tier} ${a.ruleId} ${a.firedAt} ${a.summary}`);
  // Where the replay's time goes (the buckets are generated at the rollup level already: no
  // per-request work is left to compress; the rule runtime, evaluating every scope every minute,
  // is most of it).
  printTable(
    'Quiet month replay: wall time per phase',
    (Object.entries(spent) as [string, number][]).map(([phase, ms]) => ({
      phase,
      seconds: fmt(ms / 1000, 1),
      'per simulated day': `${fmt(ms / 1000 / days, 2)} s`,
      share: `${fmt((100 * ms) / total, 0)}%`,
    })),
  );
}

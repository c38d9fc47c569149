import { performance } from 'node:perf_hooks';
import { DAY_MS, MINUTE_MS } from '../shared/clock.js';
import type { Alert } from '../shared/protocol/alert.js';
import { createTraffic } from '../shared/sim/index.js';
import {
  DETECTION_CASES,
  DETECTION_RATE_PER_SEC,
  DETECTION_SEED,
  SCENARIO_START,
  WEEK_START,
} from '../test/integration/detection-cases.js';
import { branch, removeDir, Replay, tempDir } from '../test/integration/detection-harness.js';
import { isIncidentEntry, type CollectorStore } from '../electron/collector/store/store.js';
import { benchIncidentWebhook } from './detection-incidents.js';
import { falseAlertRow } from './detection-fleet.js';
import { fmt, printTable } from './stats.js';

/** How long a scenario keeps running after it was detected, for the pages-per-incident count. */
const PAGES_OBSERVED_MS = 30 * MINUTE_MS;

/**
 * Page-tier alerts the scenario raised (fired since `since`, not left pending) and the
 * incidents that rang for them (an incident's `notified` entries; one incident, one page).
 */
function pagesPerIncident(store: CollectorStore, since: number): { pageAlerts: number; incidentsRung: number } {
  const pageAlerts = store
    .listAlerts()
    .filter((a) => a.tier === 'page' && a.status !== 'pending' && Date.parse(a.firedAt) >= since).length;
  const rung = new Set<string>();
  for (let after = 0; ;) {
    const page = store.logAfter(after, 5_000);
    for (const e of page) {
      if (isIncidentEntry(e) && e.kind === 'notified' && e.incident.tier === 'page') rung.add(e.incidentId);
    }
    const last = page[page.length - 1];
    if (last === undefined) break;
    after = last.seq;
  }
  return { pageAlerts, incidentsRung: rung.size };
}

/**
 * Detection quality (the same replay as test/integration/detection.test.ts): a simulated week of
 * normal traffic, then each scenario branched from Wednesday 13:00. Prints time to detect per
 * scenario and false pages per simulated week.
 */
export function benchDetection(): void {
  const started = performance.now();
  const normal = () => createTraffic({ seed: DETECTION_SEED, baseRatePerSec: DETECTION_RATE_PER_SEC });
  const dir = tempDir();
  let r = new Replay(dir, WEEK_START);
  r.feed(normal(), WEEK_START, SCENARIO_START, 30 * MINUTE_MS);
  r.close();
  const snapshot = branch(dir);
  r = new Replay(dir, SCENARIO_START);
  r.feed(normal(), SCENARIO_START, WEEK_START + 7 * DAY_MS, 30 * MINUTE_MS);
  const week = r.alerts();
  const weekEvents = r.events;
  r.close();
  removeDir(dir);

  const rows = DETECTION_CASES.map((c) => {
    const d = branch(snapshot);
    const traffic = createTraffic({
      seed: DETECTION_SEED,
      baseRatePerSec: DETECTION_RATE_PER_SEC,
      scenarios: [{ name: c.scenario, since: SCENARIO_START }],
    });
    const replay = new Replay(d, SCENARIO_START, undefined, { incidents: true });
    const find = (): Alert | undefined => replay.alerts().find((a) => a.ruleId === c.ruleId);
    replay.feed(traffic, SCENARIO_START, SCENARIO_START + 3 * c.maxDetectMs, MINUTE_MS, () => find() !== undefined);
    const a = find();
    // Issue 12: the scenario keeps going for a while after detection; how many pages did it
    // raise, and how many incidents rang for them?
    replay.feed(traffic, replay.clockNow, replay.clockNow + PAGES_OBSERVED_MS, MINUTE_MS);
    const pages = pagesPerIncident(replay.store, SCENARIO_START);
    replay.close();
    removeDir(d);
    const ttd = a ? (Date.parse(a.firedAt) - SCENARIO_START) / MINUTE_MS : NaN;
    return {
      scenario: c.scenario,
      rule: c.ruleId,
      'expected tier': c.tier,
      'raised tier': a?.tier ?? 'none',
      'time to detect': a ? `${fmt(ttd, 0)} min` : 'not detected',
      'max allowed': `${c.maxDetectMs / MINUTE_MS} min`,
      'page alerts': pages.pageAlerts,
      'incidents rung': pages.incidentsRung,
      'pages per incident': pages.incidentsRung > 0 ? fmt(pages.pageAlerts / pages.incidentsRung, 1) : '–',
      summary: a?.summary.slice(0, 90) ?? '',
    };
  });
  removeDir(snapshot);
  printTable(`Detection: scenarios at ${DETECTION_RATE_PER_SEC} req/s peak, starting Wednesday 13:00 UTC`, rows);
  benchIncidentWebhook();
  printTable('False alerts per simulated week of normal traffic', [
    falseAlertRow(week, {
      events: fmt(weekEvents, 0),
      'replay time': `${fmt((performance.now() - started) / 1000, 1)} s`,
    }),
  ]);
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/protocol/alert.js';
import { removeDir } from './detection-harness.js';
import {
  BELOW_EVIDENCE,
  LEVEL_SCENARIOS,
  detectLevels,
  incidentStart,
  replayHistory,
} from './detection-levels-cases.js';

/**
 * Issue 13, items 1, 2 and 4: every scenario (provider down total and partial, error spike,
 * latency, cost, eval, drift, retrieval, feedback) at 2, 20 and 200 req/min, through the real
 * store and rule runtime in event time, after two and a half days of normal history: detected at
 * its tier within its window. The one exception is below the evidence (see BELOW_EVIDENCE): it
 * must then be raised at its tier within the longer time the evidence needs. `npm run bench -- --only=detection-levels` prints the
 * same table after nine days of history.
 */
const HISTORY_DAYS = 2.5;
const START = incidentStart(HISTORY_DAYS);
let snapshot = '';
let before: Alert[] = [];

beforeAll(() => {
  ({ snapshot, alerts: before } = replayHistory(HISTORY_DAYS));
}, 120_000);

afterAll(() => removeDir(snapshot));

describe('detection at 2, 20 and 200 req/min (issue 13)', () => {
  it('the normal history raised nothing', () => {
    expect(before.map((a) => `${a.tier} ${a.ruleId} ${a.firedAt} ${a.summary}`)).toEqual([]);
  });

  it.each(LEVEL_SCENARIOS)(
    '$name raises $ruleId ($tier) within its window at every level',
    (sc) => {
      const { results, raised } = detectLevels(snapshot, sc, START);
      const why = `raised since the start:\n${raised.join('\n')}`;
      for (const r of results) {
        const limit = BELOW_EVIDENCE.find((b) => b.scenario === sc.name && b.level === r.level);
        if (limit) {
          // Too little evidence to decide within the window at this level (BELOW_EVIDENCE gives
          // the arithmetic): still raised at its tier, once the evidence gets there.
          expect(r.alert, `${sc.name} at ${r.level} req/min: never raised; ${why}`).toBeDefined();
          expect(r.alert?.tier, why).toBe(sc.tier);
          expect(r.ttdMin * 60_000, `${sc.name} at ${r.level} req/min: ${r.alert?.summary}`).toBeLessThanOrEqual(
            limit.maxDetectMs,
          );
          continue;
        }
        expect(r.alert, `${sc.name} at ${r.level} req/min: no ${sc.ruleId}; ${why}`).toBeDefined();
        expect(r.alert?.tier, why).toBe(sc.tier);
        expect(r.ttdMin * 60_000, `${sc.name} at ${r.level} req/min: ${r.alert?.summary}`).toBeLessThanOrEqual(
          sc.maxDetectMs,
        );
      }
    },
    60_000,
  );
});

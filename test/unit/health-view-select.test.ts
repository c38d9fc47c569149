import { describe, expect, it } from 'vitest';
import { personFigures } from '../../renderer/src/lib/health';
import { completedWeeks, risingPages } from '../../shared/health/trend';
import type { HealthAnswer, HealthWeek, UserHealth } from '../../shared/protocol/health';

/**
 * The Health view's selections: the per-person table for this week, last week (what the handoff
 * meeting reads) or the whole range; the rising-pages warning on completed weeks only.
 */
const user = (pages: number, mtta: number | null): UserHealth => ({
  pages,
  offHoursPages: 0,
  mttaSeconds: mtta,
  onCallHours: 10,
  offHoursOnCallHours: 2,
});
const figures = {
  pages: 0,
  offHoursPages: 0,
  mttaSeconds: null,
  mttmSeconds: null,
  mttrSeconds: null,
  ackSlaBreaches: 0,
  escalations: 0,
};
const week = (from: string, to: string, pages: number, byUser: Record<string, UserHealth> = {}): HealthWeek => ({
  ...figures,
  pages,
  from,
  to,
  byUser,
});
const NOW = '2026-03-25T12:00:00.000Z';
function answer(weeks: HealthWeek[]): HealthAnswer {
  return {
    ...figures,
    from: weeks[0]?.from ?? NOW,
    to: NOW,
    timeZone: 'UTC',
    generatedAt: NOW,
    byUser: { alice: user(9, 100), bob: user(4, 50) },
    weeks,
    pulse: [],
    slo: [],
  };
}

describe('Health view selections', () => {
  it("shows last week's, this week's or the whole range's figures per person", () => {
    const a = answer([
      week('2026-03-09T09:00:00.000Z', '2026-03-16T09:00:00.000Z', 2, { alice: user(2, 300) }),
      week('2026-03-16T09:00:00.000Z', '2026-03-23T09:00:00.000Z', 3, { bob: user(3, 40) }),
      week('2026-03-23T09:00:00.000Z', NOW, 1, { alice: user(1, 20) }),
    ]);
    expect(personFigures(a, 'last-week')).toEqual({ byUser: { bob: user(3, 40) }, from: '2026-03-16T09:00:00.000Z' });
    expect(personFigures(a, 'this-week')?.byUser.alice?.mttaSeconds).toBe(20);
    expect(personFigures(a, 'range')?.byUser.alice?.pages).toBe(9);
    expect(personFigures(answer([a.weeks[2]!]), 'last-week')).toBeUndefined();
  });

  it('warns on pages rising three completed weeks running, never on the current partial week', () => {
    const weeks = (pages: number[]): HealthWeek[] =>
      pages.map((p, i) => {
        const from = Date.parse('2026-02-16T09:00:00.000Z') + i * 7 * 86_400_000;
        const last = i === pages.length - 1;
        return week(new Date(from).toISOString(), last ? NOW : new Date(from + 7 * 86_400_000).toISOString(), p);
      });
    // 1 < 2 < 3, then this week's partial 5: only two completed rises.
    expect(risingPages(weeks([4, 1, 2, 3, 5]), NOW)).toBeNull();
    // Three completed rises; the current week's low partial count does not hide them.
    expect(risingPages(weeks([1, 2, 3, 4, 0]), NOW)).toEqual([1, 2, 3, 4]);
    expect(completedWeeks(weeks([1, 2]), NOW).map((w) => w.pages)).toEqual([1]);
  });
});

import { describe, expect, it } from 'vitest';
import type { Clock } from '../../shared/clock.js';
import { createTraffic } from '../../shared/sim/index.js';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import { Simulation } from '../../electron/collector/simulator/runner.js';
import type { Sender } from '../../electron/collector/simulator/sender.js';

/**
 * Review of issue 11, finding 10: simulated live time was start + elapsed × speed, so at --speed 10
 * events passed now + 5 min (the collector's ingest.maxFutureSkew) after ~33 s and every batch
 * was refused. Live simulated time never passes the wall clock, whatever the speed.
 */
class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): number {
    return this.t;
  }
}

function simulation(speed: number, clock: ManualClock): { sim: Simulation; events: LlmEventInput[] } {
  const events: LlmEventInput[] = [];
  const sender = {
    enqueueEvents: (e: readonly LlmEventInput[]) => void events.push(...e),
    enqueueEvals: () => undefined,
    waitBelow: async () => undefined,
    stats: { eventsSent: 0, evalsSent: 0, postFailures: 0, dropped: 0, evalsDisabled: false },
    buffered: 0,
  } as unknown as Sender;
  const traffic = createTraffic({ seed: 7, baseRatePerSec: 5, tzOffsetMinutes: 0 });
  const sim = new Simulation({ traffic, sender, clock, speed, tickMs: 1000, backfillHighWater: 1e6, log: () => {} });
  return { sim, events };
}

const tsOf = (e: LlmEventInput): number => (typeof e.ts === 'number' ? e.ts : Date.parse(String(e.ts)));

describe('simulator live time', () => {
  it('at --speed 10 no live event is dated ahead of the wall clock, tick after tick', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 14));
    const { sim, events } = simulation(10, clock);
    for (let s = 0; s < 120; s++) {
      clock.t += 1000;
      sim.tick();
      expect(sim.simNow()).toBeLessThanOrEqual(clock.t);
    }
    expect(events.length).toBeGreaterThan(0);
    const newest = Math.max(...events.map(tsOf));
    // Before: 2 min of wall time at 10x reached 20 min ahead of the clock.
    expect(newest).toBeLessThanOrEqual(clock.t);
  });

  it('below 1x it still runs slower than the wall clock', () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 2, 14));
    const { sim } = simulation(0.5, clock);
    const start = sim.simNow();
    clock.t += 60_000;
    expect(sim.simNow() - start).toBe(30_000);
  });
});

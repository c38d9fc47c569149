import { describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { emptyBucket } from '../../shared/rollup/bucket.js';
import { ScopeHistories } from '../../electron/collector/rules/scope-histories.js';

const T0 = Date.UTC(2026, 10, 2, 9, 0);
const bucket = (model: string, minute: number) => ({
  ...emptyBucket({ service: 'checkout', provider: 'openai', model }, minute),
  count: 3,
});

describe('scope histories: idle series leave every cache', () => {
  it('an evicted series leaves the scope cache too, and comes back whole when it is seen again', () => {
    const h = new ScopeHistories();
    // A new model name every minute (a sender stamping versions into `model`), for two hours.
    for (let i = 0; i < 120; i++) h.addMinute(T0 + i * MINUTE_MS, [bucket(`m-${i}`, T0 + i * MINUTE_MS)]);
    expect(h.cachedSeriesScopes()).toBe(120);
    // Everything idle before the last minute goes (nothing is firing).
    h.evictIdle(T0 + 119 * MINUTE_MS, () => false);
    expect(h.cachedSeriesScopes()).toBe(1);
    expect([...h.entries('series')].map((e) => e.scope.labels.model)).toEqual(['m-119']);
    const back = T0 + 3 * HOUR_MS;
    h.addMinute(back, [bucket('m-0', back)]);
    expect(h.cachedSeriesScopes()).toBe(2);
    expect([...h.entries('series')].map((e) => e.scope.labels.model).sort()).toEqual(['m-0', 'm-119']);
  });
});

import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS, toIso } from '../../shared/clock.js';
import {
  CATALOG_START,
  describeAlerts,
  during,
  gapMs,
  mix,
  requests,
  rigsPerTest,
  type EventShape,
  type MinuteTraffic,
} from './rules-catalog-rig.js';

/**
 * Tier 3 (weekly review) rules through the in-process collector on a fake clock. They are
 * checked at each closed event-time hour; a finding is ONE alert that stays open while the
 * finding holds (not one per hour) and resolves by itself once it no longer does (see
 * shared/rules/weekly.ts). Week-over-week rules replay three weeks of sparse traffic.
 */
const S = CATALOG_START; // Monday 00:00 UTC
const M = MINUTE_MS;
const H = HOUR_MS;
const D = DAY_MS;

const rig = rigsPerTest(S);
/** One request every `everyMin` minutes. */
const every =
  (everyMin: number, shape: EventShape, cost: (m: number) => number): MinuteTraffic =>
  (m) =>
    (m - S) % (everyMin * M) === 0 ? requests(m, 1, shape, () => ({ cost_usd: cost(m) })) : [];

describe('model-version-change (review)', () => {
  it('one finding for a new model of a known (service, provider), with the models; not for a new service or provider; resolves after newFor', async () => {
    const r = await rig({ rules: { modelVersionChange: { learning: '2h', newFor: '6h' } } });
    const traffic = mix(
      (m) => requests(m, 2, { service: 'checkout', provider: 'openai', model: 'gpt-4o-2024-08-06' }),
      during(S + 3 * H + 10 * M, S + 12 * H, (m) =>
        requests(m, 2, { service: 'checkout', provider: 'openai', model: 'gpt-4o-2024-11-20' }),
      ),
      // New usage patterns: a new service, and a known service on a new provider.
      during(S + 3 * H, S + 12 * H, (m) =>
        requests(m, 2, { service: 'new-svc', provider: 'anthropic', model: 'claude-sonnet-4' }),
      ),
      during(S + 4 * H, S + 12 * H, (m) =>
        requests(m, 2, { service: 'checkout', provider: 'anthropic', model: 'claude-sonnet-4' }),
      ),
    );
    await r.feed(traffic, S, S + 12 * H);
    const all = await r.alerts();
    expect(all, describeAlerts(all)).toHaveLength(1);
    expect(all[0]).toMatchObject({
      ruleId: 'model-version-change',
      tier: 'review',
      runbookId: 'model-version-change',
      labels: { service: 'checkout', provider: 'openai', model: 'gpt-4o-2024-11-20' },
      summary:
        'new model gpt-4o-2024-11-20 seen on checkout · openai since 2026-11-02T03:10Z (before: gpt-4o-2024-08-06)',
      firedAt: toIso(S + 4 * H), // the first closed hour after it appeared
      status: 'resolved',
      resolvedAt: toIso(S + 10 * H), // the first closed hour more than newFor after it appeared
    });
  });
});

describe('eval-coverage (review)', () => {
  it('one finding for a suite that stopped running, with the gap; not for a suite on schedule; resolves when it runs again', async () => {
    const r = await rig({ rules: { evalCoverage: { maxGap: '1d' } } });
    const traffic = (m: number) => requests(m, 1, { service: 'checkout', provider: 'openai', model: 'gpt-4o' });
    const run = (suite: string, ts: number) => ({ suite, ts, accuracy: 0.9, total: 100, passed: 90 });
    const back = S + 2 * D + 6 * H + 30 * M;
    // nightly runs every day at 02:00; weekly-rag once at 01:00, then again on day 3 at 06:30.
    for (let t = S; t < S + 3 * D; t += 30 * M) {
      if ((t - S) % D === 2 * H) await r.evals([run('nightly', t)]);
      if (t === S + H || t === back) await r.evals([run('weekly-rag', t)]);
      await r.feed(traffic, t, t + 30 * M);
    }
    const all = await r.alerts();
    expect(all, describeAlerts(all)).toHaveLength(1);
    expect(all[0]).toMatchObject({
      ruleId: 'eval-coverage',
      tier: 'review',
      runbookId: 'eval-coverage',
      labels: { suite: 'weekly-rag' },
      summary: 'eval suite weekly-rag has not run for 1.0 d (last run 2026-11-02T01:00Z)',
      firedAt: toIso(S + D + 2 * H), // the first closed hour with a gap over 1 d
      status: 'resolved',
      resolvedAt: toIso(back + 30 * M), // the first closed hour after it ran again
    });
  });
});

describe('input-mix-trend and cost-trend (review), week over week', () => {
  it('one finding each for a shifted request mix and a cost growth, with the numbers; not for a steady service, a new service or a cost drop; both resolve once the new level is the norm', async () => {
    const r = await rig({});
    const w2 = S + 7 * D;
    // chat: 1 req / 5 min in week 1, 1 / 10 min after, at a higher price (cost -25%).
    // search: 1 / 10 min in week 1, 1 / 5 min after (+100% requests and cost).
    // steady: the same all along. tiny: a new service from week 2 on day 2 (≈2.5% of requests).
    const chat = { service: 'chat', provider: 'openai', model: 'gpt-4o' };
    const search = { service: 'search', provider: 'anthropic', model: 'claude-sonnet-4' };
    const traffic = mix(
      (m) => (m < w2 ? every(5, chat, () => 0.01)(m) : every(10, chat, () => 0.015)(m)),
      (m) => (m < w2 ? every(10, search, () => 0.02)(m) : every(5, search, () => 0.02)(m)),
      every(10, { service: 'steady', provider: 'openai', model: 'gpt-4o-mini' }, () => 0.02),
      during(
        w2 + D,
        S + 21 * D,
        every(60, { service: 'tiny', provider: 'openai', model: 'gpt-4o-mini' }, () => 0.02),
      ),
    );
    await r.feed(traffic, S, S + 21 * D, D);
    const all = await r.alerts();
    const mixAlerts = all.filter((a) => a.ruleId === 'input-mix-trend');
    const costAlerts = all.filter((a) => a.ruleId === 'cost-trend');
    expect(all, describeAlerts(all)).toHaveLength(2);

    expect(mixAlerts).toHaveLength(1);
    const mixAlert = mixAlerts[0];
    expect(mixAlert).toMatchObject({ tier: 'review', runbookId: 'input-mix-trend', labels: {}, status: 'resolved' });
    const tv =
      /^request mix moved (\d+\.\d)% \(total variation\) week over week \((\d+) → (\d+) requests\): (.*)$/.exec(
        mixAlert?.summary ?? '',
      );
    expect(tv, mixAlert?.summary).not.toBeNull();
    expect(Number(tv?.[1])).toBeGreaterThan(20);
    expect(tv?.[4]).toMatch(/^(chat · openai\/gpt-4o|search · anthropic\/claude-sonnet-4) \d+\.\d% → \d+\.\d%; /);
    // Week over week needs two full weeks of history: judged from the start of week 3, then
    // resolved once the trailing week is mostly the new mix too.
    const w3 = w2 + 7 * D;
    expect(mixAlert?.firedAt).toBe(toIso(w3));
    expect(gapMs(toIso(w3), mixAlert?.resolvedAt)).toBeGreaterThan(D);
    expect(gapMs(toIso(w3), mixAlert?.resolvedAt)).toBeLessThan(6 * D);

    expect(costAlerts).toHaveLength(1);
    const costAlert = costAlerts[0];
    expect(costAlert).toMatchObject({
      tier: 'review',
      runbookId: 'cost-trend',
      labels: { service: 'search' },
      status: 'resolved',
    });
    // Week 1: 1008 requests × $0.02; week 2: 2016 × $0.02. Not for chat (-25%), steady, or tiny (new).
    expect(costAlert?.summary).toBe('cost $40.32 this week vs $20.16 last week (+100%) on search');
    expect(costAlert?.firedAt).toBe(toIso(w3));
    expect(gapMs(toIso(w3), costAlert?.resolvedAt)).toBeGreaterThan(D);
    expect(gapMs(toIso(w3), costAlert?.resolvedAt)).toBeLessThan(6 * D);
  });
});

import { describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../shared/clock.js';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import {
  CATALOG_START,
  describeAlerts,
  gapMs,
  requests,
  rigsPerTest,
  type MinuteTraffic,
} from './rules-catalog-rig.js';

/**
 * Issue 13 items 1–2 through the whole in-process collector (HTTP ingest, rollups, rule runtime,
 * alerts, SQLite) at 2, 20 and 200 requests a minute, in event time: provider outages page within
 * 2 minutes (total) and 5 (partial); low-traffic error rates page; one failed request never does.
 * Times are the alert's `firedAt` (event time) minus the incident's start; live, the rule runtime
 * adds `rules.allowedLateness` (1 min) before it evaluates a minute.
 */
const S = CATALOG_START + 8 * 60 * MINUTE_MS; // Monday 08:00 UTC
const WARMUP = 30 * MINUTE_MS;
const rig = rigsPerTest(S - WARMUP);
const subject = { service: 'checkout', provider: 'openai', model: 'gpt-4o' };

/** `rate` req/min spread evenly (fractions carried over); from `start`, `fail(j)` for the j-th request. */
function stream(
  rate: number,
  start: number,
  fail: (j: number) => Partial<LlmEventInput> | undefined,
  end = Infinity,
): MinuteTraffic {
  return (m) => {
    const t = Math.round((m - (S - WARMUP)) / MINUTE_MS);
    const n = Math.floor((t + 1) * rate) - Math.floor(t * rate);
    const before = Math.floor(Math.round((m - start) / MINUTE_MS) * rate);
    return requests(m, n, subject, (i) => (m >= start && m < end ? (fail(before + i) ?? {}) : {}));
  };
}
const share = (p: number) => (j: number) => Math.floor((j + 1) * p) > Math.floor(j * p);

async function detect(traffic: MinuteTraffic, ruleId: string, withinMs: number) {
  const r = await rig();
  await r.feed(traffic, S - WARMUP, S);
  await r.feed(traffic, S, S + withinMs + 10 * MINUTE_MS, MINUTE_MS, async () => (await r.alerts(ruleId)).length > 0);
  const all = await r.alerts();
  return { alert: all.find((a) => a.ruleId === ruleId), all };
}

describe('provider-down at 2, 20 and 200 req/min (issue 13, item 1)', () => {
  it.each([2, 20, 200])('total outage at %i req/min pages within 2 minutes of its start', async (rate) => {
    const { alert, all } = await detect(
      stream(rate, S, () => ({ status: 'error', error_type: 'connection_error' })),
      'provider-down',
      2 * MINUTE_MS,
    );
    expect(alert, describeAlerts(all)).toBeDefined();
    expect(alert).toMatchObject({ tier: 'page', labels: { provider: 'openai' } });
    expect(alert?.summary).toMatch(/^provider openai: no successful request in 2 min/);
    expect(gapMs(new Date(S).toISOString(), alert?.firedAt)).toBeLessThanOrEqual(2 * MINUTE_MS);
  });

  it.each([2, 20, 200])(
    'partial outage (85 percent 5xx/timeouts) at %i req/min pages within 5 minutes',
    async (rate) => {
      const bad = share(0.85);
      const { alert, all } = await detect(
        stream(rate, S, (j) =>
          bad(j) ? { status: 'error', error_type: j % 2 ? 'server_error' : 'timeout' } : undefined,
        ),
        'provider-down',
        5 * MINUTE_MS,
      );
      expect(alert, describeAlerts(all)).toBeDefined();
      expect(alert?.tier).toBe('page');
      expect(gapMs(new Date(S).toISOString(), alert?.firedAt)).toBeLessThanOrEqual(5 * MINUTE_MS);
    },
  );
});

describe('error-rate without minimum counts (issue 13, item 2)', () => {
  it('5 req/min with a third failing for 15 minutes pages within them', async () => {
    const third = share(1 / 3);
    const { alert, all } = await detect(
      stream(5, S, (j) => (third(j) ? { status: 'error', error_type: 'server_error' } : undefined), S + 15 * MINUTE_MS),
      'error-rate',
      15 * MINUTE_MS,
    );
    expect(alert, describeAlerts(all)).toMatchObject({ tier: 'page', labels: subject });
    expect(gapMs(new Date(S).toISOString(), alert?.firedAt)).toBeLessThanOrEqual(15 * MINUTE_MS);
  });

  it('a 10 req/min service at weekend traffic (5 req/min) with 12% errors for 14 minutes pages', async () => {
    const some = share(0.12);
    const { alert, all } = await detect(
      stream(5, S, (j) => (some(j) ? { status: 'error', error_type: 'server_error' } : undefined), S + 14 * MINUTE_MS),
      'error-rate',
      14 * MINUTE_MS,
    );
    expect(alert, describeAlerts(all)).toMatchObject({ tier: 'page', labels: subject });
    expect(gapMs(new Date(S).toISOString(), alert?.firedAt)).toBeLessThanOrEqual(14 * MINUTE_MS);
  });

  it.each([2, 20, 200])('one failed request at %i req/min never pages (nor raises anything)', async (rate) => {
    const r = await rig();
    const traffic = stream(rate, S, (j) => (j === 0 ? { status: 'error', error_type: 'connection_error' } : undefined));
    await r.feed(traffic, S - WARMUP, S + 60 * MINUTE_MS, 15 * MINUTE_MS);
    const all = await r.alerts();
    expect(all, describeAlerts(all)).toEqual([]);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import { RollupsPage, SeriesResponse } from '../../shared/protocol/series.js';
import { openCache } from '../../electron/main/services/cache/index.js';
import { openSeriesCache, SeriesSync } from '../../electron/main/services/series/index.js';
import { errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/**
 * Issue 14 against a real collector: `GET /v1/series` answers carry the rule's lines computed
 * from its rollups with the thresholds from its config file; `GET /v1/rollups` pages carry
 * those thresholds, and the desktop cache, synced from them, draws the same lines.
 */
const KEY = { service: 'chat', provider: 'openai', model: 'gpt-4o' };
const CONFIG = `
rules:
  errorRate:
    threshold: 0.08
  latencyP95:
    factor: 3
    slo:
      - service: chat
        p95: 900ms
  costAnomaly:
    dailyFactor: 2.5
`;

describe('reference lines on series answers (real collector, configured thresholds)', () => {
  let collector: CollectorHandle;
  const now = Date.now();
  const to = Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const start = Math.floor((to - 50 * HOUR_MS) / HOUR_MS) * HOUR_MS;

  const get = async (path: string, params: Record<string, string>) => {
    const res = await fetch(`${collector.url}${path}?${new URLSearchParams(params).toString()}`, {
      headers: { authorization: `Bearer ${collector.token}` },
    });
    expect(res.status).toBe(200);
    return res.json() as Promise<unknown>;
  };
  const series = async (params: Record<string, string>) => SeriesResponse.parse(await get('/v1/series', params));

  beforeAll(async () => {
    collector = await startCollector({ configYaml: CONFIG });
    // 50 hours of steady traffic, one request a minute: every hour alike, so each baseline is known.
    const events = errorBurst({
      ...KEY,
      startMs: start,
      minutes: (to - start) / MINUTE_MS,
      perMinute: 1,
      errorRate: 0,
    });
    for (let i = 0; i < events.length; i += 2000)
      expect((await postEvents(collector.url, collector.token, events.slice(i, i + 2000))).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await collector?.stop();
  });

  it('error rate: the configured threshold, not the 5 % default', async () => {
    const r = await series({ metric: 'error_rate', from: String(to - HOUR_MS), to: String(to) });
    expect(r.reference?.lines).toEqual([{ label: 'threshold', value: 0.08, role: 'threshold' }]);
    expect(r.reference?.at).toBe(to);
    // The rate's denominator comes along for the hover readout.
    expect(r.series[0]?.counts?.every((n) => n === 1)).toBe(true);
  });

  it('latency: the median hourly p95 as baseline, factor × it, and sloFactor × the SLO', async () => {
    const r = await series({ metric: 'latency_p95', service: 'chat', from: String(to - HOUR_MS), to: String(to) });
    const hourly = await series({
      metric: 'latency_p95',
      service: 'chat',
      from: String(to - 20 * HOUR_MS),
      to: String(to - 2 * HOUR_MS),
      step: '1h',
    });
    const p95s = (hourly.series[0]?.points ?? []).map((p) => p[1]).filter((v): v is number => v !== null);
    const lines = r.reference?.lines ?? [];
    expect(lines.map((l) => l.label)).toEqual(['baseline', '3× baseline', '3× SLO']);
    expect(lines[0]?.value).toBeGreaterThanOrEqual(Math.min(...p95s));
    expect(lines[0]?.value).toBeLessThanOrEqual(Math.max(...p95s));
    expect(lines[1]?.value).toBeCloseTo(3 * (lines[0]?.value ?? 0), 6);
    expect(lines[2]?.value).toBe(2700);
    // Another service has no SLO: no SLO line there.
    const other = await series({
      metric: 'latency_p95',
      service: 'search',
      from: String(to - HOUR_MS),
      to: String(to),
    });
    expect(other.reference?.lines).toEqual([]);
  });

  it('cost: the trailing daily average as $/h, and dailyFactor × it', async () => {
    const r = await series({ metric: 'cost_usd', from: String(to - HOUR_MS), to: String(to) });
    const hour = await series({
      metric: 'cost_usd',
      from: String(to - 30 * HOUR_MS),
      to: String(to - 29 * HOUR_MS + 1),
      step: '1h',
    });
    const lines = r.reference?.lines ?? [];
    expect(lines.map((l) => l.label)).toEqual(['7-day avg', '2.5× avg']);
    const hourly = hour.series[0]?.points.find((p) => p[1] !== null)?.[1] ?? 0;
    expect(hourly).toBeGreaterThan(0);
    expect(lines[0]?.value).toBeCloseTo(hourly, 6);
    expect(lines[1]?.value).toBeCloseTo(2.5 * (lines[0]?.value ?? 0), 6);
  });

  it('rollup pages carry the thresholds; the desktop cache draws the same lines from them', async () => {
    const page = RollupsPage.parse(await get('/v1/rollups', { resolution: '1h', from: String(to - HOUR_MS) }));
    expect(page.rules?.errorRate.threshold).toBe(0.08);
    expect(page.rules?.latencyP95.slo).toEqual([{ service: 'chat', p95: 900 }]);
    expect(page.rules?.costAnomaly.dailyFactor).toBe(2.5);

    const dir = mkdtempSync(join(tmpdir(), 'vigil-chart-ref-'));
    const cache = openCache(join(dir, 'cache.db'), { now: new Date(now).toISOString() });
    const charts = openSeriesCache(cache.path);
    try {
      expect(charts.query({ metric: 'error_rate', fromMs: to - HOUR_MS, toMs: to }, now).reference).toBeUndefined();
      const sync = new SeriesSync({
        collectorUrl: collector.url,
        token: collector.token,
        cache: charts,
        connection: { isReady: () => true, onReady: () => () => {} },
      });
      await sync.syncNow();
      sync.dispose();
      for (const metric of ['error_rate', 'latency_p95', 'cost_usd'] as const) {
        const mine = charts.query({ metric, service: 'chat', fromMs: to - HOUR_MS, toMs: to }, now).reference;
        const theirs = (await series({ metric, service: 'chat', from: String(to - HOUR_MS), to: String(to) }))
          .reference;
        expect(
          mine?.lines.map((l) => l.label),
          metric,
        ).toEqual(theirs?.lines.map((l) => l.label));
        mine?.lines.forEach((l, i) =>
          expect(l.value, `${metric} ${l.label}`).toBeCloseTo(theirs?.lines[i]?.value ?? NaN, 6),
        );
      }
      // Offline after a restart: the thresholds are in the cache file, not in memory.
      charts.close();
      const reopened = openSeriesCache(cache.path);
      expect(reopened.rules()?.errorRate.threshold).toBe(0.08);
      reopened.close();
    } finally {
      charts.close();
      cache.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

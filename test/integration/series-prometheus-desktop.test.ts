import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import type { SeriesQueryParams } from '../../shared/protocol/series.js';
import { SeriesSourceInfo } from '../../shared/protocol/series-source.js';
import { postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { genAiTraffic, startPrometheus, waitFor, type ServerHandle } from '../fixtures/prom-servers.js';
import { authHeaders, Desktops, until, untilAsync } from './sync-helpers.js';
import type { AppServices } from '../../electron/main/services/index.js';

/**
 * Issue 17, the desktop half of the Prometheus chart source: a real Prometheus scrapes a real
 * collector's `/metrics/genai`; a second collector (no traffic of its own) charts from that
 * Prometheus; a desktop on it gets Prometheus's values from `series.query`, not its (empty)
 * rollup cache. A desktop on a local-source collector charts from its cache exactly as before.
 */
const WAIT_MS = 40_000;

let traffic: CollectorHandle;
let reader: CollectorHandle;
let prom: ServerHandle;
let readerStopped = false;
const desktops = new Desktops();

async function promTotal(): Promise<string | undefined> {
  const q = encodeURIComponent('sum(gen_ai_client_operation_duration_seconds_count)');
  const res = await fetch(`${prom.url}/api/v1/query?query=${q}`, { signal: AbortSignal.timeout(5_000) });
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return body.data.result[0]?.value[1];
}

/** `vigil_http_requests_total{route="GET /v1/series",code="200"}` on a collector. */
async function seriesRequests(c: CollectorHandle): Promise<number> {
  const text = await (await fetch(`${c.url}/metrics`, { headers: authHeaders(c) })).text();
  const line = text
    .split('\n')
    .find(
      (l) =>
        l.startsWith('vigil_http_requests_total{') && l.includes('route="GET /v1/series"') && l.includes('code="200"'),
    );
  return line ? Number(line.split(' ').pop()) : 0;
}

async function sourceKnown(app: AppServices, kind: 'local' | 'prometheus'): Promise<void> {
  await untilAsync(
    async () => {
      await app.remoteSeries.syncNow();
      return app.remoteSeries.source()?.kind === kind;
    },
    15_000,
    `the desktop to learn the ${kind} chart source`,
  );
}

beforeAll(async () => {
  traffic = await startCollector();
  const target = new URL(traffic.url).host;
  prom = await startPrometheus(
    [
      'global: {scrape_interval: 1s, evaluation_interval: 1s}',
      'scrape_configs:',
      '  - job_name: vigil-genai',
      '    metrics_path: /metrics/genai',
      `    authorization: {credentials: ${JSON.stringify(traffic.token)}}`,
      `    static_configs: [{targets: [${JSON.stringify(target)}]}]`,
      '',
    ].join('\n'),
    'groups: []\n',
  );
  reader = await startCollector({
    configYaml: `series: {source: {kind: prometheus, url: "${prom.url}", timeout: 5s}}\n`,
  });
  // As in prometheus-scrape.test.ts: both series exist from the first scrape, so the second batch
  // is a clean increase of 10 requests, 2 of them errors.
  expect((await postEvents(traffic.url, traffic.token, genAiTraffic(4, 1))).status).toBe(200);
  await waitFor('the first batch scraped', async () => ((await promTotal()) === '5' ? true : undefined), WAIT_MS);
  expect((await postEvents(traffic.url, traffic.token, genAiTraffic(8, 2))).status).toBe(200);
  await waitFor('the second batch scraped', async () => ((await promTotal()) === '15' ? true : undefined), WAIT_MS);
}, 120_000);

afterEach(() => desktops.disposeAll());

afterAll(async () => {
  desktops.disposeAll();
  if (!readerStopped) await reader?.stop();
  await prom?.stop();
  await traffic?.stop();
});

/** Three days: the chart's step is 1h (beyond the cache's minute window), as in the scrape test. */
function threeDays(): { fromMs: number; toMs: number } {
  const toMs = Math.floor(Date.now() / HOUR_MS) * HOUR_MS + HOUR_MS;
  return { fromMs: toMs - 3 * DAY_MS, toMs };
}

describe('desktop charts over a Prometheus chart source (issue 17)', () => {
  it('series.query answers from the collector, i.e. from Prometheus; offline, the last answer, said so', async () => {
    // On the wire: the metrics with a GenAI form, and no Prometheus URL (desktops never talk to it).
    const wire = await fetch(`${reader.url}/v1/series/source`, { headers: authHeaders(reader) });
    expect(SeriesSourceInfo.parse(await wire.json())).toEqual({
      kind: 'prometheus',
      metrics: [
        'requests',
        'error_rate',
        'latency_p50',
        'latency_p95',
        'latency_p99',
        'cost_usd',
        'tokens_in',
        'tokens_out',
      ],
    });
    expect((await fetch(`${reader.url}/v1/series/source`)).status).toBe(401);

    const app = desktops.open(reader, 'dana');
    await sourceKnown(app, 'prometheus');
    expect(app.remoteSeries.source()).toMatchObject({
      kind: 'prometheus',
      metrics: expect.arrayContaining(['error_rate']),
    });
    await app.seriesSync.syncNow();

    const q: SeriesQueryParams = { metric: 'error_rate', by: 'service', ...threeDays() };
    const before = await seriesRequests(reader);
    const answer = await app.api.call('series.query', q);
    expect(await seriesRequests(reader)).toBe(before + 1);
    expect(answer.step).toBe('1h');
    expect(answer.series).toHaveLength(1);
    expect(answer.series[0]!.labels).toEqual({ service: 'chat' });
    const values = answer.series[0]!.points.map((p) => p[1]).filter((v): v is number => v !== null);
    expect(values.some((v) => Math.abs(v - 0.2) < 1e-9)).toBe(true);
    expect(answer.syncedAt).toBeDefined();
    // The reader collector saw no events: its rollups, and so this desktop's cache, hold nothing.
    expect(app.seriesCache.query(q, Date.now()).series).toEqual([]);

    // Metrics Prometheus has no form for stay on the cache (no 400 from the collector).
    const evals = await app.api.call('series.query', { metric: 'eval_accuracy', ...threeDays() });
    expect(evals.series).toEqual([]);

    // Offline: the same chart still shows the last answer, with the syncedAt of when it was fetched.
    await reader.stop();
    readerStopped = true;
    await until(() => app.sync.status().state !== 'connected', 15_000, 'the desktop to notice the collector is gone');
    const offline = await app.api.call('series.query', q);
    expect(offline).toEqual(answer);
    // A chart never fetched is refused with a reason, not answered from the (wrong) cache.
    await expect(app.api.call('series.query', { metric: 'requests', ...threeDays() })).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringMatching(/Prometheus source: the collector is not reachable/),
    });
  }, 60_000);
});

describe('desktop charts over a local chart source', () => {
  it('series.query answers from the chart cache, as before, and asks the collector nothing', async () => {
    const app = desktops.open(traffic, 'erin');
    await sourceKnown(app, 'local');
    await app.seriesSync.syncNow();
    const toMs = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
    const q: SeriesQueryParams = { metric: 'requests', fromMs: toMs - HOUR_MS, toMs };
    const before = await seriesRequests(traffic);
    const answer = await app.api.call('series.query', q);
    expect(await seriesRequests(traffic)).toBe(before);
    const cached = app.seriesCache.query(q, Date.now());
    // The background sync may land between the two reads: then only its time moves on.
    expect({ ...answer, syncedAt: undefined }).toEqual({ ...cached, syncedAt: undefined });
    expect(Date.parse(String(answer.syncedAt))).toBeLessThanOrEqual(Date.parse(String(cached.syncedAt)));
    expect(answer.series[0]!.points.reduce((n, p) => n + (p[1] ?? 0), 0)).toBe(15);
  }, 30_000);
});

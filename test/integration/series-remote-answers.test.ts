import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../shared/clock.js';
import type { SeriesQueryParams, SeriesResponse } from '../../shared/protocol/series.js';
import { RemoteSeries, type RemoteSeriesOptions } from '../../electron/main/services/series/index.js';
import { ManualClock } from './sync-helpers.js';

/**
 * The desktop's Prometheus chart source (issue 17) against a fake collector on a real socket:
 * every bad answer (wrong shape, too big, too slow, an error) is a coded refusal naming why,
 * never a crash or a hang; the last good answer of a chart is shown for a while, then refused.
 */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let url: string;
let source: Handler;
let series: Handler;
const open: RemoteSeries[] = [];
const ready = { isReady: () => true, onReady: () => () => {} };

const json =
  (status: number, body: unknown): Handler =>
  (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
const PROM_SOURCE = json(200, { kind: 'prometheus', metrics: ['requests', 'error_rate'] });
const NOW = Date.parse('2026-03-01T12:00:00Z');
const Q: SeriesQueryParams = { metric: 'requests', fromMs: NOW - 60 * MINUTE_MS, toMs: NOW };
const GOOD: SeriesResponse = {
  metric: 'requests',
  step: '1m',
  series: [{ labels: {}, points: [[NOW - MINUTE_MS, 7]] }],
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.headers.authorization !== 'Bearer tok')
      return json(401, { error: { code: 'unauthorized', message: 'no' } })(req, res);
    if (path === '/v1/series/source') return source(req, res);
    if (path === '/v1/series') return series(req, res);
    json(404, { error: { code: 'not_found', message: 'no route' } })(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  for (const r of open.splice(0)) r.dispose();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function remote(opts: Partial<RemoteSeriesOptions> = {}): Promise<RemoteSeries> {
  const r = new RemoteSeries({ collectorUrl: url, token: 'tok', connection: ready, ...opts });
  open.push(r);
  await r.syncNow();
  return r;
}

describe('RemoteSeries against a misbehaving collector', () => {
  it('learns the source; a collector without the route (before protocol 5) is local; a bad source answer changes nothing', async () => {
    source = PROM_SOURCE;
    const r = await remote();
    expect(r.source()).toEqual({ kind: 'prometheus', metrics: ['requests', 'error_rate'] });
    expect(r.answers('requests')).toBe(true);
    expect(r.answers('eval_accuracy')).toBe(false);

    source = json(404, { error: { code: 'not_found', message: 'no route' } });
    await r.syncNow();
    expect(r.source()).toEqual({ kind: 'local' });
    expect(r.answers('requests')).toBe(false);

    const warnings: string[] = [];
    source = json(200, { kind: 'graphite' });
    const bad = await remote({ log: { warn: (m) => warnings.push(m) } });
    expect(bad.source()).toBeNull();
    expect(bad.answers('requests')).toBe(false);
    expect(warnings.join('\n')).toMatch(/GET \/v1\/series\/source sent an invalid answer/);
  });

  it('asks /v1/series at the cache step with the filters, and answers in the CachedSeries shape', async () => {
    source = PROM_SOURCE;
    let asked: URLSearchParams | undefined;
    series = (req, res) => {
      asked = new URL(req.url ?? '/', 'http://x').searchParams;
      json(200, GOOD)(req, res);
    };
    const r = await remote({ clock: new ManualClock(NOW) });
    const answer = await r.query({ ...Q, service: 'chat', by: 'model' });
    expect(Object.fromEntries(asked ?? [])).toEqual({
      metric: 'requests',
      from: String(Q.fromMs),
      to: String(Q.toMs),
      step: '1m',
      service: 'chat',
      by: 'model',
    });
    expect(answer).toEqual({ ...GOOD, syncedAt: new Date(NOW).toISOString() });
  });

  it.each([
    ['a wrong shape', json(200, { metric: 'requests', step: '1m', series: 'lots' }), /sent an invalid answer \(series/],
    ['another metric', json(200, { ...GOOD, metric: 'cost_usd' }), /answered cost_usd for requests/],
    ['not JSON', (_req: IncomingMessage, res: ServerResponse) => res.end('<html>'), /something other than JSON/],
    [
      'a 502',
      json(502, { error: { code: 'unavailable', message: 'Prometheus http://p:9090: ECONNREFUSED' } }),
      /answered 502: Prometheus http:\/\/p:9090: ECONNREFUSED/,
    ],
  ] as const)('refuses %s with a clear error', async (_what, handler, message) => {
    source = PROM_SOURCE;
    series = handler;
    const r = await remote();
    await expect(r.query(Q)).rejects.toMatchObject({ failure: { code: 'unavailable', message } });
  });

  it('refuses an answer over the size bound, declared or streamed, without reading it all', async () => {
    source = PROM_SOURCE;
    const big = JSON.stringify({ ...GOOD, series: [{ labels: { pad: 'x'.repeat(200_000) }, points: [] }] });
    series = (_req, res) => res.end(big); // content-length declared
    const r = await remote({ maxBytes: 64 * 1024 });
    await expect(r.query(Q)).rejects.toMatchObject({
      failure: { code: 'unavailable', message: /the answer is over 65536 bytes/ },
    });
    series = (_req, res) => {
      // chunked: no length up front
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < 20; i++) res.write('x'.repeat(10_000));
      res.end();
    };
    await expect(r.query(Q)).rejects.toMatchObject({
      failure: { code: 'unavailable', message: /the answer is over 65536 bytes/ },
    });
  });

  it('gives up on a collector that does not answer within the timeout', async () => {
    source = PROM_SOURCE;
    series = () => {}; // never answers
    const r = await remote({ timeoutMs: 300 });
    const started = performance.now();
    await expect(r.query(Q)).rejects.toMatchObject({
      failure: { code: 'unavailable', message: /no answer within 300 ms/ },
    });
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it("passes a 400 on as the query's fault (invalid_field), never answered from memory", async () => {
    source = PROM_SOURCE;
    series = json(200, GOOD);
    const r = await remote();
    await r.query(Q);
    series = json(400, { error: { code: 'invalid_field', message: 'step: too many points', field: 'step' } });
    await expect(r.query(Q)).rejects.toMatchObject({
      failure: { code: 'invalid_field', message: /answered 400: step: too many points/ },
    });
  });

  it('shows the last answer of a chart (its syncedAt) while the collector fails, until it is stale; offline likewise', async () => {
    source = PROM_SOURCE;
    series = json(200, GOOD);
    const clock = new ManualClock(NOW);
    let online = true;
    const r = await remote({
      clock,
      staleMs: 10 * MINUTE_MS,
      connection: { isReady: () => online, onReady: () => () => {} },
    });
    const first = await r.query(Q);
    expect(first.syncedAt).toBe(new Date(NOW).toISOString());

    // A minute later the same chart (its range moved with the clock) fails: the last answer, said so by syncedAt.
    clock.advance(MINUTE_MS);
    series = json(200, { nope: true });
    const moved = { ...Q, fromMs: Q.fromMs + MINUTE_MS, toMs: Q.toMs + MINUTE_MS };
    expect(await r.query(moved)).toEqual(first);
    online = false;
    expect(await r.query(moved)).toEqual(first);
    // A chart never fetched has nothing to show.
    await expect(r.query({ ...Q, service: 'other' })).rejects.toMatchObject({
      failure: { code: 'unavailable', message: /the collector is not reachable/ },
    });
    // Past staleMs the old answer is no longer passed off as the chart.
    clock.advance(10 * MINUTE_MS);
    await expect(r.query(moved)).rejects.toMatchObject({
      failure: { code: 'unavailable', message: /the collector is not reachable/ },
    });
  });
});

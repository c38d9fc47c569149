import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { CLIENT_FRAME_BURST, CLIENT_FRAMES_PER_SECOND } from '../../shared/protocol/stream.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { connectStream, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { collectorAlerts, Desktops, metric, seedAlertLog, until } from './sync-helpers.js';

/**
 * One stream connection flooding commands (68,800 acks in 2 s once made /healthz take 1 s) is
 * closed by its frame bucket; the collector stays responsive and other connections keep working.
 */
let collector: CollectorHandle;
let dataDir: string;
let alertId: string;
const desktops = new Desktops();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-flood-'));
  seedAlertLog(dataDir, 1, { alerts: 1, now: Date.now() });
  collector = await startCollector({ dataDir });
  alertId = (await collectorAlerts(collector))[0]?.id ?? '';
  expect(alertId).not.toBe('');
});

afterAll(async () => {
  desktops.disposeAll();
  await collector.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

interface RawClient {
  ws: WebSocket;
  frames: Record<string, unknown>[];
  closed: Promise<{ code: number; reason: string }>;
}

async function rawClient(user: string): Promise<RawClient> {
  const ws = new WebSocket(`${collector.url.replace(/^http/, 'ws')}/v1/stream`, {
    headers: { authorization: `Bearer ${collector.token}` },
  });
  const frames: Record<string, unknown>[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Record<string, unknown>));
  ws.on('error', () => {}); // the collector cutting us off is the point
  const closed = new Promise<{ code: number; reason: string }>((r) =>
    ws.on('close', (code, reason) => r({ code, reason: reason.toString() })),
  );
  await new Promise<void>((r, j) => {
    ws.once('open', () => r());
    ws.once('error', j);
  });
  ws.send(JSON.stringify({ type: 'hello', user, lastSeq: 0, protocol: PROTOCOL_VERSION }));
  await until(() => frames.some((f) => f.type === 'welcome'), 5_000, 'welcome');
  return { ws, frames, closed };
}

/** GET /healthz every `everyMs` until `stop()` resolves; returns every latency in ms. */
function probeHealth(everyMs: number): { stop: () => Promise<number[]>; slow: string[] } {
  const latencies: number[] = [];
  const slow: string[] = [];
  let running = true;
  const start = performance.now();
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      const res = await fetch(`${collector.url}/healthz`);
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      if (performance.now() - t0 > 100)
        slow.push(`+${(t0 - start).toFixed(0)} ms: ${(performance.now() - t0).toFixed(0)} ms`);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    slow,
    stop: async () => {
      running = false;
      await loop;
      return latencies;
    },
  };
}

const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN).toFixed(1);
  return `n=${s.length} p50=${q(0.5)} ms p99=${q(0.99)} ms max=${q(1)} ms`;
};

describe('per-connection frame rate', () => {
  it('a command flood is answered rate_limited and closed; /healthz stays fast; another client keeps working', async () => {
    const normal = await connectStream(collector.url, collector.token, { user: 'ana' });
    const flood = await rawClient('flooder');
    const before = await metric(collector, 'vigil_ws_rate_limited_total');

    const health = probeHealth(25);
    // 68,800 acks over about 2 s, sent in slices so this process's event loop keeps turning.
    const TOTAL = 68_800;
    let sent = 0;
    const t0 = performance.now();
    while (sent < TOTAL && flood.ws.readyState === WebSocket.OPEN) {
      for (let i = 0; i < 1_000 && sent < TOTAL; i++, sent++) {
        flood.ws.send(JSON.stringify({ type: 'command', id: `flood-${sent}`, kind: 'ack', alertId }));
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    const closed = await Promise.race([
      flood.closed,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
    ]);
    const floodMs = performance.now() - t0;

    // Meanwhile the other connection is served.
    normal.send({ type: 'command', id: 'ana-note', kind: 'comment', alertId, note: 'still here' });
    expect(await normal.waitFor((f) => f.type === 'result' && f.id === 'ana-note', 10_000)).toMatchObject({ ok: true });
    await normal.waitFor((f) => f.type === 'event' && f.note === 'still here', 10_000);
    const latencies = await health.stop();

    const results = flood.frames.filter((f) => f.type === 'result').length;
    console.log(
      `flood: ${sent} acks offered in ${floodMs.toFixed(0)} ms, ${results} answered before the cut; ` +
        `/healthz during the flood: ${stats(latencies)}; over 100 ms: ${health.slow.join(', ') || 'none'}`,
    );
    expect(closed).toEqual({ code: 1008, reason: 'rate limited' });
    expect(flood.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'rate_limited' });
    // The burst and what refilled while it arrived, no more.
    expect(results).toBeLessThanOrEqual(CLIENT_FRAME_BURST + CLIENT_FRAMES_PER_SECOND * 3);
    expect(await metric(collector, 'vigil_ws_rate_limited_total')).toBe(before + 1);
    expect(collector.output()).toMatch(/peer \d+ \(flooder\) sent frames faster than 50\/s \(burst 200\); closing/);
    // Generous: a loaded 2-core machine; the flood used to hold /healthz for a second.
    expect(Math.max(...latencies)).toBeLessThan(800);
    await normal.close();
  });

  it('a flood of pong frames is rate-limited too; a transport ping flood ends the connection', async () => {
    const before = await metric(collector, 'vigil_ws_rate_limited_total');
    const pongs = await rawClient('ponger');
    for (let i = 0; i < 2_000 && pongs.ws.readyState === WebSocket.OPEN; i++) {
      pongs.ws.send(JSON.stringify({ type: 'pong', t: i }));
    }
    expect(await pongs.closed).toEqual({ code: 1008, reason: 'rate limited' });
    expect(await metric(collector, 'vigil_ws_rate_limited_total')).toBe(before + 1);
    expect(collector.output()).toMatch(/peer \d+ \(ponger\) sent frames faster than/);

    // Transport pings spend tokens as well. (A ws client flooding pings may see its connection
    // end without the close frame, 1006; either way it is over within the bound.)
    const pinger = await rawClient('pinger');
    for (let i = 0; i < 5_000 && pinger.ws.readyState === WebSocket.OPEN; i++) pinger.ws.ping();
    const closed = await Promise.race([pinger.closed, new Promise((r) => setTimeout(() => r('open'), 10_000))]);
    expect(closed).not.toBe('open');
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
  });

  it('hello spam closes the connection after a few refusals', async () => {
    const spam = await rawClient('hello-spam');
    for (let i = 0; i < 50; i++) {
      spam.ws.send(JSON.stringify({ type: 'hello', user: 'again', lastSeq: 0, protocol: PROTOCOL_VERSION }));
    }
    expect(await spam.closed).toEqual({ code: 1008, reason: 'too many invalid frames' });
    expect(spam.frames.filter((f) => f.type === 'error').length).toBeLessThanOrEqual(7);
  });

  it('a desktop re-sending a long outbox paces itself under the limit and is never cut off', async () => {
    const before = await metric(collector, 'vigil_ws_rate_limited_total');
    const app = desktops.open(collector, 'bulk');
    await until(() => app.sync.isReady() && app.cache.hasAlert(alertId), 10_000, 'the desktop to sync');
    const N = 300;
    for (let i = 0; i < N; i++) {
      const reply = await app.api.handle({
        method: 'alerts.command',
        params: { kind: 'comment', alertId, note: `bulk ${i}` },
      });
      expect(reply).toMatchObject({ ok: true });
    }
    const t0 = performance.now();
    await until(() => app.cache.pendingCount() === 0, 40_000, 'every command to be answered');
    console.log(`outbox: ${N} commands answered in ${(performance.now() - t0).toFixed(0)} ms, paced`);
    expect(app.cache.outbox(N).filter((o) => o.state === 'applied')).toHaveLength(N);
    expect(await metric(collector, 'vigil_ws_rate_limited_total')).toBe(before);
  });
});

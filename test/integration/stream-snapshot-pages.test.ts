import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { SNAPSHOT_PAGE_BOUNDS } from '../../electron/collector/stream/snapshot-pages.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { CACHE_FILE } from '../../electron/main/services/app-services.js';
import { openCache } from '../../electron/main/services/cache/index.js';
import type { Notifier } from '../../electron/main/services/notifier/index.js';
import type { Logger } from '../../electron/main/services/runtime.js';
import { toIso } from '../../shared/clock.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { ServerFrame, type SnapshotFrame } from '../../shared/protocol/stream.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { connectStream, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { collectorAlerts, collectorStats, Desktops, metric, until } from './sync-helpers.js';

/**
 * A snapshot used to be one frame holding every alert: big alerts took it past the desktop's
 * 64 MiB frame limit and that desktop could never sync again. Now it comes in bounded pages,
 * applied by the desktop only once all have arrived.
 */
const ALERTS = 2_000;
/** Eight labels of 700 characters: about 6 KB an alert, 12 MB in all. */
const LABEL_CHARS = 700;

const dirs: string[] = [];
const tempDir = (prefix: string): string => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const desktops = new Desktops();
let collector: CollectorHandle;
let head = 0;
let ids: string[] = [];

/** Fires ALERTS alerts with large labels straight into a stopped collector's data dir. */
function seedLargeAlerts(dataDir: string, now: number): void {
  const store = openStore(join(dataDir, 'collector.db'), now);
  try {
    const alerts = new AlertService(store, { now: () => now }, 'seed');
    alerts.transact(() => {
      for (let i = 0; i < ALERTS; i++) {
        const labels: Record<string, string> = { service: `svc-${i}`, provider: 'openai', model: 'gpt-4o' };
        for (let k = 0; k < 8; k++) labels[`annotation_${k}`] = `${i}-${k}-`.padEnd(LABEL_CHARS, 'x');
        alerts.fire({
          ruleId: 'alertmanager',
          tier: 'ticket',
          source: 'alertmanager',
          summary: `large alert ${i}`,
          labels,
          firedAt: now,
        });
      }
    });
  } finally {
    store.close();
  }
}

beforeAll(async () => {
  const dataDir = tempDir('vigil-snap-');
  seedLargeAlerts(dataDir, Date.now());
  // Keep only the newest 10 log entries: a desktop at an older seq needs a snapshot.
  collector = await startCollector({
    dataDir,
    configYaml: 'retention:\n  eventLogMaxRows: 10\n  interval: 200ms\n',
  });
  const c = collector;
  await until(() => /retention: pruned \d+ event log entries/.test(c.output()), 10_000, 'the log to be pruned');
  head = (await collectorStats(c)).lastSeq;
  ids = (await collectorAlerts(c)).map((a) => a.id).sort();
  expect(ids).toHaveLength(ALERTS);
}, 60_000);

afterAll(async () => {
  desktops.disposeAll();
  await collector.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * A TCP proxy in front of the collector. The first connection is cut once `cutAfter` bytes came
 * from the collector; later ones wait for `release()` before they reach it.
 */
async function cuttingProxy(
  target: number,
  cutAfter: number,
): Promise<{ url: string; cutAt: Promise<number>; release: () => void; close: () => Promise<void> }> {
  let connections = 0;
  let release = (): void => {};
  const gate = new Promise<void>((r) => (release = r));
  let cut = (_bytes: number): void => {};
  const cutAt = new Promise<number>((r) => (cut = r));
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const n = ++connections;
    sockets.add(client);
    client.on('error', () => {});
    const go = (): void => {
      if (client.destroyed) return;
      const up = connect(target, '127.0.0.1');
      sockets.add(up);
      up.on('error', () => client.destroy());
      client.on('close', () => up.destroy());
      up.on('close', () => client.destroy());
      client.pipe(up);
      let bytes = 0;
      up.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (n === 1 && bytes > cutAfter) {
          client.destroy();
          up.destroy();
          cut(bytes);
          return;
        }
        client.write(chunk);
      });
    };
    if (n === 1) go();
    else void gate.then(go);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    cutAt,
    release,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('snapshot pages', () => {
  it('come bounded in count and bytes, numbered, the last marked, together the whole alert set; then live', async () => {
    const pageLimit = SNAPSHOT_PAGE_BOUNDS.maxBytes;
    // The client refuses any frame over a page's bound: one oversized frame fails the test.
    const ws = new WebSocket(`${collector.url.replace(/^http/, 'ws')}/v1/stream`, {
      headers: { authorization: `Bearer ${collector.token}` },
      maxPayload: pageLimit,
    });
    const pages: SnapshotFrame[] = [];
    const sizes: number[] = [];
    const events: number[] = [];
    let error: Error | undefined;
    ws.on('error', (e) => (error = e));
    ws.on('message', (data: Buffer) => {
      const f = ServerFrame.parse(JSON.parse(data.toString()));
      if (f.type === 'snapshot') {
        pages.push(f);
        sizes.push(data.length);
      } else if (f.type === 'event') events.push(f.seq);
    });
    await new Promise<void>((r, j) => {
      ws.once('open', () => r());
      ws.once('error', j);
    });
    ws.send(JSON.stringify({ type: 'hello', user: 'pager', lastSeq: 0, protocol: PROTOCOL_VERSION }));
    await until(() => pages.at(-1)?.last === true || error, 30_000, 'the last page');
    expect(error).toBeUndefined();
    const total = sizes.reduce((a, b) => a + b, 0);
    console.log(
      `snapshot: ${ALERTS} alerts, ${(total / 1e6).toFixed(1)} MB in ${pages.length} pages, ` +
        `largest ${(Math.max(...sizes) / 1e6).toFixed(2)} MB (bound ${(pageLimit / 1e6).toFixed(2)} MB)`,
    );
    expect(pages.length).toBeGreaterThanOrEqual(4);
    expect(pages.map((p) => p.page)).toEqual(pages.map((_, i) => i));
    expect(pages.map((p) => p.last)).toEqual(pages.map((_, i) => i === pages.length - 1));
    for (const p of pages) {
      expect(p.lastSeq).toBe(head);
      expect(p.alerts.length).toBeLessThanOrEqual(SNAPSHOT_PAGE_BOUNDS.maxAlerts);
    }
    const got = pages.flatMap((p) => p.alerts.map((a: Alert) => a.id)).sort();
    expect(got).toEqual(ids);
    expect(events).toEqual([]);
    const done = new RegExp(
      `snapshot to peer \\d+ \\(pager\\): ${ALERTS} alerts, \\d+ incidents at seq ${head} in ${pages.length} pages`,
    );
    await until(() => done.test(collector.output()), 5_000, 'the snapshot log line');
    expect(await metric(collector, 'vigil_ws_snapshot_pages_total')).toBeGreaterThanOrEqual(pages.length);

    // After the last page the connection is live: a new log entry reaches it, once.
    const other = await connectStream(collector.url, collector.token, { user: 'other', lastSeq: head });
    other.send({ type: 'command', id: 'after-snap', kind: 'comment', alertId: ids[0], note: 'after' });
    await other.waitFor((f) => f.type === 'result' && f.id === 'after-snap');
    await until(() => events.length > 0, 10_000, 'the live event');
    head += 1;
    expect(events).toEqual([head]);
    await other.close();
    ws.close();
  }, 60_000);

  it('a desktop applies a snapshot only whole: a drop mid-snapshot leaves its cache as it was; the next connect completes', async () => {
    const proxy = await cuttingProxy(collector.port, 5_000_000);
    const logs: string[] = [];
    const log: Logger = {
      info: (m) => logs.push(m),
      warn: (m) => logs.push(`warn: ${m}`),
      error: (m) => logs.push(`error: ${m}`),
    };
    try {
      // The desktop's earlier replica (of this collector, via the proxy): one alert at seq 3.
      const dataDir = tempDir('vigil-snap-desktop-');
      const now = toIso(Date.now());
      const stale: Alert = {
        id: 'stale-alert',
        ruleId: 'error-rate',
        tier: 'page',
        status: 'firing',
        source: 'rules',
        summary: 'from before',
        labels: {},
        firedAt: now,
      };
      const cache = openCache(join(dataDir, CACHE_FILE), { now });
      cache.bindCollector(proxy.url);
      cache.applyEvents(
        [1, 2, 3].map((seq) => ({
          type: 'event' as const,
          seq,
          at: now,
          alertId: stale.id,
          kind: seq === 1 ? ('fired' as const) : ('commented' as const),
          alert: stale,
        })),
        now,
      );
      cache.close();

      // A recording notifier: 2,000 new tickets must not spawn 2,000 notify-send processes here.
      const notifier: Notifier = { notify: () => Promise.resolve({ ok: true }), onAcknowledge: () => () => {} };
      const app = desktops.open({ url: proxy.url, token: collector.token }, 'dana', {
        dataDir,
        log,
        alarm: { notifier },
      });
      const tc = performance.now();
      const cutBytes = await proxy.cutAt;
      console.log(`cut ${(performance.now() - tc).toFixed(0)} ms after the desktop started`);
      await until(
        () => logs.some((l) => /connection lost during a snapshot/.test(l)),
        10_000,
        'the desktop to see the drop',
      );
      // Pages had arrived (the drop came mid-snapshot), yet the replica is exactly as before.
      expect(app.cache.syncState().lastSeq).toBe(3);
      expect(app.cache.listAlerts().map((a) => a.id)).toEqual(['stale-alert']);
      expect(logs.some((l) => /applied a snapshot/.test(l))).toBe(false);

      const t0 = performance.now();
      proxy.release();
      await until(() => app.cache.syncState().lastSeq === head, 30_000, 'the next snapshot');
      const syncMs = performance.now() - t0;
      // Every alert of the collector, and the one it no longer has is gone.
      expect(ids.filter((id) => !app.cache.hasAlert(id))).toEqual([]);
      expect(app.cache.hasAlert('stale-alert')).toBe(false);
      const applied = logs.find((l) => /applied a snapshot/.test(l)) ?? '';
      const pages = Number(/\((\d+) pages\)/.exec(applied)?.[1]);
      console.log(`cut after ${cutBytes} bytes; reconnected and applied in ${syncMs.toFixed(0)} ms: ${applied}`);
      expect(applied).toContain(`${ALERTS} alerts and ${ALERTS} incidents at seq ${head}`);
      expect(pages).toBeGreaterThanOrEqual(4);
      expect(logs.filter((l) => /^error: /.test(l))).toEqual([]);
    } finally {
      await proxy.close();
    }
  }, 90_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createAppServices, type AppServices } from '../../electron/main/services/index.js';
import type { Logger } from '../../electron/main/services/runtime.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { connectStream, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { metric, until } from './sync-helpers.js';

/** Frames that fail validation, in both directions, against real sockets. */
let collector: CollectorHandle | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

describe('client → collector frames', () => {
  it('a frame before hello is refused and the connection closes with a reason', async () => {
    collector = await startCollector();
    const c = collector;
    const s = await connectStream(c.url, c.token, { hello: false });
    s.send({ type: 'command', id: 'x', kind: 'ack', alertId: 'a' });
    const err = await s.waitFor((f) => f.type === 'error');
    expect(err).toMatchObject({ code: 'bad_request', message: 'send hello first' });
    expect(await s.closed()).toEqual({ code: 1008, reason: 'send hello first' });
  });

  it('a hello with a bad field or protocol is refused with the field named', async () => {
    collector = await startCollector();
    const c = collector;
    const neg = await connectStream(c.url, c.token, { hello: false });
    neg.send({ type: 'hello', user: 'ana', lastSeq: -1, protocol: PROTOCOL_VERSION });
    expect((await neg.waitFor((f) => f.type === 'error')).message).toMatch(/^lastSeq: /);
    expect((await neg.closed()).code).toBe(1008);

    const old = await connectStream(c.url, c.token, { protocol: PROTOCOL_VERSION + 1 });
    expect(await old.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'protocol_mismatch' });
    expect(await old.closed()).toEqual({ code: 1008, reason: 'protocol mismatch' });
  });

  it('after hello, bad frames get an error each and the connection survives; a flood closes it', async () => {
    collector = await startCollector();
    const c = collector;
    const s = await connectStream(c.url, c.token, { user: 'ana' });
    s.sendRaw('{not json');
    s.send({ type: 'command', id: 'c1', kind: 'ack' });
    s.send({ type: 'command', id: 'c2', kind: 'dance', alertId: 'a' });
    s.send({ type: 'teleport' });
    await until(() => s.frames.filter((f) => f.type === 'error').length === 4, 5000, 'four errors');
    const errors = s.frames.filter((f) => f.type === 'error');
    expect(errors[0]).toMatchObject({ code: 'invalid_json' });
    expect(errors[1]?.message).toMatch(/^alertId: /);
    expect(errors[2]?.message).toMatch(/^kind: /);
    expect(errors[3]).toMatchObject({ code: 'invalid_field' });

    // Still alive: a valid command is answered.
    s.send({ type: 'command', id: 'c3', kind: 'ack', alertId: 'nope' });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'c3')).toMatchObject({
      ok: false,
      error: 'alert nope not found',
    });

    // Rejections are logged (a few per peer) and counted.
    expect(c.output()).toMatch(/rejected a frame from peer \d+ \(ana\): invalid_json/);
    expect(await metric(c, 'vigil_ws_frames_rejected_total')).toBe(4);

    s.send({ type: 'x1' });
    s.send({ type: 'x2' });
    expect(await s.closed()).toEqual({ code: 1008, reason: 'too many invalid frames' });
    expect(c.output()).toMatch(/closing peer \d+ \(ana\): too many invalid frames/);
    // Nothing crashed: the collector still answers.
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
  });
});

describe('collector → client frames', () => {
  let wss: WebSocketServer | undefined;
  let app: AppServices | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    app?.dispose();
    for (const ws of wss?.clients ?? []) ws.terminate();
    await new Promise<void>((r) => (wss ? wss.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('invalid frames are logged and skipped; the connection stays up and later frames apply', async () => {
    wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss?.once('listening', () => r()));
    const addr = wss.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const alert = {
      id: 'a1',
      ruleId: 'error-rate',
      tier: 'page',
      status: 'firing',
      source: 'rules',
      summary: 's',
      labels: {},
      firedAt: '2026-01-05T09:00:00.000Z',
    };
    let connections = 0;
    wss.on('connection', (ws: WebSocket) => {
      connections += 1;
      ws.once('message', () => {
        ws.send(JSON.stringify({ type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: 0, lastSeq: 2 }));
        ws.send('{"type":');
        ws.send(JSON.stringify({ type: 'event', seq: 1, at: 'yesterday', alertId: 'a1', kind: 'fired', alert }));
        ws.send(
          JSON.stringify({
            type: 'event',
            seq: 1,
            at: '2026-01-05T09:00:00.000Z',
            alertId: 'a1',
            kind: 'fired',
            alert: { ...alert, tier: 'urgent' },
          }),
        );
        ws.send(
          JSON.stringify({
            type: 'event',
            seq: 2,
            at: '2026-01-05T09:00:00.000Z',
            alertId: 'a1',
            kind: 'fired',
            alert,
          }),
        );
      });
    });
    const warnings: string[] = [];
    const log: Logger = { info: () => {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
    dir = mkdtempSync(join(tmpdir(), 'vigil-badframes-'));
    app = createAppServices({ collectorUrl: url, collectorToken: 't', user: 'ana', dataDir: dir, log });
    app.start();
    const a = app;
    await until(() => a.cache.syncState().lastSeq === 2, 5000, 'the valid event');
    expect(warnings.filter((w) => w.startsWith('sync: ignoring invalid frame'))).toHaveLength(3);
    expect(warnings.some((w) => /invalid frame \(at: /.test(w))).toBe(true);
    expect(warnings.some((w) => /invalid frame \(alert\.tier: /.test(w))).toBe(true);
    // The invalid seq-1 events were not applied: the timeline has only the valid one.
    expect(a.cache.getAlert('a1')?.timeline.map((t) => t.seq)).toEqual([2]);
    expect(a.sync.status().state).toBe('connected');
    expect(connections).toBe(1);
  });
});

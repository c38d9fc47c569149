import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BridgeMessage, SyncStatus } from '../../shared/protocol/api.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';
import { processAlive, rawConnect, upgradeRequest } from '../fixtures/raw-http.js';
import { BridgeClient } from '../../renderer/src/api/bridge.js';
import { proveHost } from '../../renderer/src/api/host-proof.js';
import { computeProof, newProofNonce } from '../../renderer/src/lib/bridge-proof.js';
import { ApiCallError } from '../../renderer/src/api/results.js';

/**
 * The real headless CLI, pointed at a collector that is not there (port 9 refuses): the host
 * must still serve the page and answer from its cache, which is the offline promise.
 */
let host: HeadlessHandle;
let rendererDir: string;

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'vigil-renderer-'));
  mkdirSync(join(rendererDir, 'assets'));
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><title>Vigil</title><script type="module" src="/assets/app.js"></script>',
  );
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log("vigil")');
  writeFileSync(join(tmpdir(), 'vigil-secret.txt'), 'secret');
  host = await startHeadless({
    collectorUrl: 'http://127.0.0.1:9',
    collectorToken: 'unused-0123456789abcdef', // at least MIN_TOKEN_LENGTH, like every token
    user: 'ana',
    rendererDir,
  });
});

afterAll(async () => {
  await host?.stop();
  rmSync(rendererDir, { recursive: true, force: true });
  rmSync(join(tmpdir(), 'vigil-secret.txt'), { force: true });
});

/** Resolves with the upgrade's HTTP status (101 when accepted) and the open socket, if any. */
function connect(url: string, origin?: string): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ status: 101, ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.once('error', () => resolve({ status: 0 }));
  });
}

function nextMessage(ws: WebSocket, pred: (m: BridgeMessage) => boolean = () => true): Promise<BridgeMessage> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData): void => {
      const m = BridgeMessage.parse(JSON.parse(data.toString()));
      if (pred(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

describe('headless host', () => {
  it('prints a token URL on 127.0.0.1', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[A-Za-z0-9_-]{43}$/);
  });

  it('serves index.html for / with a strict CSP', async () => {
    const res = await fetch(`${host.origin}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${host.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(await res.text()).toContain('<title>Vigil</title>');
  });

  it('serves assets with their content type and refuses to leave the renderer folder', async () => {
    const js = await fetch(`${host.origin}/assets/app.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${host.origin}/assets/missing.js`)).status).toBe(404);
    const escape = await fetch(`${host.origin}/..%2f..%2fvigil-secret.txt`);
    expect([403, 404]).toContain(escape.status);
    expect(await escape.text()).not.toContain('secret');
  });

  it('answers targets URL cannot parse with 400 and stays up (page and bridge upgrade)', async () => {
    // node accepts `//`; an unguarded `new URL` in the upgrade listener took the host down.
    for (const request of [
      `GET // HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`,
      upgradeRequest('//'),
      upgradeRequest('/\\'),
    ]) {
      const conn = await rawConnect(host.port);
      try {
        await conn.write(request);
        await conn.waitFor(/^HTTP\/1\.1 400/, 5_000);
      } finally {
        conn.destroy();
      }
    }
    expect(host.pid !== undefined && processAlive(host.pid)).toBe(true);
    expect((await fetch(`${host.origin}/`)).status).toBe(200);
  });

  it('refuses a bridge connection without a token', async () => {
    const r = await connect(`ws://127.0.0.1:${host.port}/bridge`, host.origin);
    expect(r.status).toBe(401);
  });

  it('refuses a bridge connection with a wrong token', async () => {
    // Change the last character to a different one (appending a fixed 'A' would be a no-op 1 time in 64).
    const wrong = host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A');
    const r = await connect(`ws://127.0.0.1:${host.port}/bridge?token=${wrong}`, host.origin);
    expect(r.status).toBe(401);
  });

  it('refuses the right token from a foreign or missing Origin', async () => {
    expect((await connect(host.bridgeUrl, 'http://evil.example')).status).toBe(403);
    expect((await connect(host.bridgeUrl, `http://localhost:${host.port}`)).status).toBe(403);
    expect((await connect(host.bridgeUrl)).status).toBe(403);
  });

  it('accepts its own page with the token and answers status.get from the cache', async () => {
    const { status, ws } = await connect(host.bridgeUrl, host.origin);
    expect(status).toBe(101);
    if (!ws) throw new Error('no socket');
    const reply = nextMessage(ws, (m) => m.type === 'reply');
    ws.send(JSON.stringify({ type: 'call', id: 7, call: { method: 'status.get', params: {} } }));
    const m = await reply;
    expect(m).toMatchObject({ type: 'reply', id: 7, ok: true });
    const s = SyncStatus.parse(m.type === 'reply' && m.ok ? m.result : null);
    expect(s).toMatchObject({ user: 'ana', collectorUrl: 'http://127.0.0.1:9' });
    expect(s.state).not.toBe('connected');
    ws.close();
  });

  it('answers invalid bridge frames with an error reply and keeps serving', async () => {
    const { ws } = await connect(host.bridgeUrl, host.origin);
    if (!ws) throw new Error('no socket');
    const replies = (): Promise<BridgeMessage> => nextMessage(ws, (m) => m.type === 'reply');
    const cases: [string, number][] = [
      ['{not json', -1],
      [JSON.stringify({ type: 'call', id: 3, call: { method: 'alerts.drop', params: {} } }), 3],
      [JSON.stringify({ type: 'call', id: 4, call: { method: 'alerts.get', params: { id: '' } } }), 4],
      [
        JSON.stringify({
          type: 'call',
          id: 5,
          call: { method: 'alerts.command', params: { kind: 'ack', alertId: 'nope' } },
        }),
        5,
      ],
      [JSON.stringify([1, 2, 3]), -1],
    ];
    for (const [frame, id] of cases) {
      const next = replies();
      ws.send(frame);
      const m = await next;
      expect(m).toMatchObject({ type: 'reply', id, ok: false });
    }
    const ok = replies();
    ws.send(JSON.stringify({ type: 'call', id: 9, call: { method: 'alerts.list', params: {} } }));
    expect(await ok).toEqual({ type: 'reply', id: 9, ok: true, result: [] });
    ws.close();
  });

  it('carries error codes intact to the renderer-side client, and validates results from the table', async () => {
    // The page's own client, on a ws socket that sends the page's Origin (a browser would).
    const client = new BridgeClient({
      url: host.bridgeUrl,
      createSocket: (url) => new WebSocket(url, { origin: host.origin }) as unknown as globalThis.WebSocket,
    });
    client.start();
    try {
      const s = await client.call('status.get', {});
      expect(s).toMatchObject({ user: 'ana', collectorUrl: 'http://127.0.0.1:9' });

      const missing = client.call('alerts.command', { kind: 'ack', alertId: 'nope' });
      await expect(missing).rejects.toBeInstanceOf(ApiCallError);
      await expect(missing).rejects.toMatchObject({ code: 'not_found', message: 'no alert nope in the cache' });

      await expect(client.call('alerts.get', { id: '' })).rejects.toMatchObject({
        code: 'invalid_field',
        message: expect.stringMatching(/^params\.id: /),
      });
      await expect(client.call('alerts.command', { kind: 'snooze', alertId: 'nope' })).rejects.toMatchObject({
        code: 'not_found',
      });
      await expect(client.call('alerts.drop' as never, {} as never)).rejects.toMatchObject({
        code: 'invalid_field',
        message: 'method: no such method',
      });
    } finally {
      client.dispose();
    }
  });

  it('proves it holds the token without the page sending it (/bridge/proof)', async () => {
    const nonce = newProofNonce();
    const res = await fetch(`${host.origin}/bridge/proof?nonce=${nonce}`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ proof: await computeProof(host.token, nonce) });
    // The renderer's own check, against the real host: accepted with the right token only.
    await expect(proveHost(host.origin, host.token)).resolves.toBe('proven');
    await expect(proveHost(host.origin, 'not-the-token-0123456789abcdef')).resolves.toBe('refuted');
  });

  it.each([
    ['missing', ''],
    ['too short', '?nonce=abc'],
    ['too long', `?nonce=${'a'.repeat(200)}`],
    ['not base64url', `?nonce=${'%2B'.repeat(43)}`],
  ])('refuses a %s nonce with 400 naming nonce', async (_label, query) => {
    const res = await fetch(`${host.origin}/bridge/proof${query}`, { signal: AbortSignal.timeout(10_000) });
    expect(res.status).toBe(400);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { error: { code: string; field?: string } };
    expect(body.error).toMatchObject({ code: 'invalid_field', field: 'nonce' });
  });

  it('refuses a proof request from another origin or with a foreign Host', async () => {
    const nonce = newProofNonce();
    const foreign = await fetch(`${host.origin}/bridge/proof?nonce=${nonce}`, {
      headers: { origin: 'http://evil.example' },
      signal: AbortSignal.timeout(10_000),
    });
    expect(foreign.status).toBe(403);
    const rebound = await rawConnect(host.port);
    try {
      await rebound.write(`GET /bridge/proof?nonce=${nonce} HTTP/1.1\r\nHost: evil.example:${host.port}\r\n\r\n`);
      await rebound.waitFor(/^HTTP\/1\.1 421/, 5_000);
    } finally {
      rebound.destroy();
    }
  });
});

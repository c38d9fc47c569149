import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { processAlive, rawConnect, sleep, upgradeRequest } from '../fixtures/raw-http.js';

/**
 * Review of issue 11, finding 1: node's parser accepts request targets such as `//` that
 * `new URL(target, base)` cannot parse. Unguarded, the metrics listener (plain requests) or the
 * upgrade listener (Upgrade: websocket) threw outside any catch and the collector exited, no token
 * needed. Every target now goes through one guarded parse: what is not a path is a 400.
 */
let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({ token: randomToken() });
});
afterAll(async () => {
  await c.stop();
});

/** Sends `request` on a fresh connection and returns what came back once the server closed or answered. */
async function ask(request: string, answered: RegExp = /^HTTP\/1\.1 \d{3}[\s\S]*\r\n\r\n/): Promise<string> {
  const conn = await rawConnect(c.port);
  try {
    await conn.write(request);
    await conn.waitFor(answered, 5_000);
    return conn.received();
  } finally {
    conn.destroy();
  }
}

async function stillUp(): Promise<void> {
  // Give an uncaught exception (it happens on the answer's 'finish') the time to take the process down.
  await sleep(300);
  expect(processAlive(c.pid as number), `collector exited:\n${c.output()}`).toBe(true);
  const res = await fetch(`${c.url}/healthz`);
  expect(res.status).toBe(200);
}

const plain = (target: string, extra = ''): string => `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\n${extra}\r\n`;

describe('request targets that are not paths', () => {
  it('GET // is answered 400 and the collector stays up', async () => {
    const answer = await ask(plain('//'), /"code":"bad_request"/);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await stillUp();
  });

  it('GET // with Upgrade: websocket is answered 400 and the collector stays up', async () => {
    const answer = await ask(upgradeRequest('//'), /"code":"bad_request"/);
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await stillUp();
  });

  it('other unparseable or network-path targets, with and without the token and the upgrade, are 400', async () => {
    const auth = `authorization: Bearer ${c.token}\r\n`;
    for (const target of ['//', '/\\', '//x/v1/alerts', '/\\x/v1/alerts', 'http://[', '*']) {
      for (const request of [
        plain(target),
        plain(target, auth),
        upgradeRequest(target),
        upgradeRequest(target, auth),
      ]) {
        const answer = await ask(request, /\r\n\r\n[\s\S]*\}/);
        expect(answer, `${JSON.stringify(target)}: ${request.split('\r\n')[2]}`).toMatch(/^HTTP\/1\.1 400/);
      }
    }
    await stillUp();
    // The answers were counted (the metrics listener no longer re-parses the target).
    const metrics = await (await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.token}` } })).text();
    expect(metrics).toMatch(/vigil_http_requests_total\{code="400",route="other"\} \d+/);
  });

  it('ordinary paths and absolute-form targets still route', async () => {
    const auth = `authorization: Bearer ${c.token}\r\n`;
    expect(await ask(plain('/healthz'), /\{"ok":true\}/)).toMatch(/^HTTP\/1\.1 200/);
    expect(await ask(plain(`http://127.0.0.1:${c.port}/v1/alerts?status=firing`, auth), /\}$/)).toMatch(
      /^HTTP\/1\.1 200[\s\S]*"alerts":\[/,
    );
    expect(await ask(plain('/no/such/route', auth), /\}$/)).toMatch(/^HTTP\/1\.1 404/);
    expect(await ask(upgradeRequest('/v1/streams', auth), /\}$/)).toMatch(/^HTTP\/1\.1 404/);
    expect(await ask(upgradeRequest('/v1/stream'), /\}$/)).toMatch(/^HTTP\/1\.1 401/);
    expect(await ask(upgradeRequest(`/v1/stream?token=${c.token}`), /\r\n\r\n/)).toMatch(/^HTTP\/1\.1 101/);
    await stillUp();
  });
});

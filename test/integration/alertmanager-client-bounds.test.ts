import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerApiError, AlertmanagerClient } from '../../electron/collector/integrations/alertmanager-client.js';
import { AM_API_MAX_RESPONSE_BYTES } from '../../shared/protocol/alertmanager-api.js';

/**
 * The Alertmanager API client's bounds (issue 17) against a real local HTTP server playing a
 * misbehaving Alertmanager: errors, oversized, non-JSON and wrong-shaped answers, and silence.
 */
let server: Server;
let base: string;
let answer: (res: ServerResponse) => void = (res) => res.end();
const silence = {
  matchers: [{ name: 'alertname', value: 'X', isRegex: false, isEqual: true }],
  startsAt: '2026-12-06T10:00:00Z',
  endsAt: '2026-12-06T12:00:00Z',
  createdBy: 'alice',
  comment: 'c',
};

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const client = (timeoutMs = 2_000) => new AlertmanagerClient(base, timeoutMs);
async function failure(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(AlertmanagerApiError);
  return (e as Error).message;
}

describe('Alertmanager API client bounds', () => {
  it('returns the silence id of a good answer', async () => {
    answer = (res) => res.end(JSON.stringify({ silenceID: 'abc' }));
    expect(await client().createSilence(silence)).toBe('abc');
  });

  it('a 4xx or 5xx is an error naming the status and (cut) body', async () => {
    answer = (res) => {
      res.statusCode = 400;
      res.end('bad matcher ' + 'x'.repeat(5_000));
    };
    const m = await failure(client().createSilence(silence));
    expect(m).toMatch(/answered 400: bad matcher x+/);
    expect(m.length).toBeLessThan(600);
    answer = (res) => {
      res.statusCode = 503;
      res.end();
    };
    expect(await failure(client().expireSilence('id/../x'))).toMatch(
      /DELETE .*\/api\/v2\/silence\/id%2F\.\.%2Fx answered 503/,
    );
  });

  it('refuses answers over the size bound, declared or streamed', async () => {
    answer = (res) => {
      res.setHeader('content-length', String(AM_API_MAX_RESPONSE_BYTES + 1));
      res.end();
    };
    expect(await failure(client().listSilences())).toMatch(/bytes is over/);
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    answer = (res) => {
      for (let i = 0; i < 5; i++) res.write(chunk);
      res.end();
    };
    expect(await failure(client().listSilences())).toMatch(/over \d+ bytes/);
  });

  it('refuses non-JSON and wrong-shaped answers', async () => {
    answer = (res) => res.end('<html>proxy</html>');
    expect(await failure(client().createSilence(silence))).toMatch(/other than JSON/);
    answer = (res) => res.end(JSON.stringify({ id: 1 }));
    expect(await failure(client().createSilence(silence))).toMatch(/without a silence id/);
    answer = (res) => res.end(JSON.stringify([{ id: 'x' }]));
    expect(await failure(client().listSilences())).toMatch(/unexpected silence list/);
  });

  it('gives up after the timeout on a silent server', async () => {
    answer = () => {}; // never answers
    const t0 = performance.now();
    expect(await failure(client(300).listSilences())).toMatch(/no answer within 300 ms/);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});

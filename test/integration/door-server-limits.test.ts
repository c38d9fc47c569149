import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectStream,
  randomToken,
  startCollector,
  type CollectorHandle,
  type StreamClient,
} from '../fixtures/collector.js';
import { rawConnect, sleep } from '../fixtures/raw-http.js';

/** Issue 11: the collector's server bounds every connection in time and caps how many it holds. */
const HEADERS_TIMEOUT_MS = 1_000;
const REQUEST_TIMEOUT_MS = 2_000;
const KEEP_ALIVE_MS = 1_000;
const MAX_CONNECTIONS = 6;
/** The machine is shared and loaded: deadlines are checked loosely (never sooner, generously later). */
const SLACK_MS = 8_000;

let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({
    token: randomToken(),
    configYaml: [
      'server:',
      `  headersTimeout: ${HEADERS_TIMEOUT_MS}ms`,
      `  requestTimeout: ${REQUEST_TIMEOUT_MS}ms`,
      `  keepAliveTimeout: ${KEEP_ALIVE_MS}ms`,
      `  maxConnections: ${MAX_CONNECTIONS}`,
      '  maxRequestsPerSocket: 3',
      '',
    ].join('\n'),
  });
});
afterAll(async () => {
  await c.stop();
});

const GET_HEALTH = 'GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n';

async function healthy(): Promise<void> {
  const conn = await rawConnect(c.port);
  try {
    await conn.write(GET_HEALTH);
    await conn.waitFor(/^HTTP\/1\.1 200[\s\S]*\{"ok":true\}/, 5_000);
  } finally {
    conn.destroy();
  }
}

/** `vigil_requests_rejected_total` by code, read on a connection of its own (closed after). */
async function rejected(): Promise<Record<string, number>> {
  const conn = await rawConnect(c.port);
  try {
    await conn.write(
      `GET /metrics HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${c.token}\r\nconnection: close\r\n\r\n`,
    );
    await conn.closed;
    const counts: Record<string, number> = {};
    for (const m of conn.received().matchAll(/^vigil_requests_rejected_total\{code="([a-z_]+)"\} (\d+)$/gm)) {
      counts[m[1] as string] = Number(m[2]);
    }
    return counts;
  } finally {
    conn.destroy();
  }
}

describe('server limits', () => {
  it('cuts off a client that never finishes its headers (slowloris) after the headers timeout', async () => {
    const conn = await rawConnect(c.port);
    const t0 = performance.now();
    await conn.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    let open = true;
    void conn.closed.then(() => (open = false));
    // Keeps trickling header lines, as slowloris does, so only the deadline can end it.
    while (open && performance.now() - t0 < HEADERS_TIMEOUT_MS + SLACK_MS) {
      await conn.write('x-slow: 1\r\n');
      await sleep(100);
    }
    const closedAt = await conn.closed;
    expect(closedAt - t0).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS * 0.9);
    expect(closedAt - t0).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 408/);
    await healthy();
  }, 20_000);

  it('cuts off a request whose body never completes after the request timeout', async () => {
    const conn = await rawConnect(c.port);
    const t0 = performance.now();
    await conn.write(
      `POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${c.token}\r\n` +
        'content-type: application/json\r\ncontent-length: 1000\r\n\r\n[',
    );
    let open = true;
    void conn.closed.then(() => (open = false));
    while (open && performance.now() - t0 < REQUEST_TIMEOUT_MS + SLACK_MS) {
      await conn.write(' ');
      await sleep(100);
    }
    const closedAt = await conn.closed;
    expect(closedAt - t0).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS * 0.9);
    expect(closedAt - t0).toBeLessThan(REQUEST_TIMEOUT_MS + SLACK_MS);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 408/);
    await healthy();
  }, 20_000);

  it('a 408 from the request timer is answered and counted once, as request_timeout, not also as bad_request', async () => {
    const before = await rejected();
    const conn = await rawConnect(c.port);
    await conn.write(
      `POST /v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${c.token}\r\n` +
        'content-type: application/json\r\ncontent-length: 1000\r\n\r\n[',
    );
    await conn.waitFor(/^HTTP\/1\.1 408/, REQUEST_TIMEOUT_MS + SLACK_MS);
    await conn.closed;
    // The route's read fails when the connection closes; give it the time to (wrongly) count that.
    await sleep(500);
    const after = await rejected();
    expect(conn.received().match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(after.bad_request ?? 0).toBe(before.bad_request ?? 0);
    expect(after.request_timeout ?? 0).toBe((before.request_timeout ?? 0) + 1);
  }, 20_000);

  it('closes an idle keep-alive connection after the keep-alive timeout', async () => {
    const conn = await rawConnect(c.port);
    await conn.write(GET_HEALTH);
    await conn.waitFor(/\{"ok":true\}/);
    // Still usable before the timeout...
    await conn.write(GET_HEALTH);
    await conn.waitFor(/\{"ok":true\}[\s\S]*\{"ok":true\}/);
    const idleFrom = performance.now();
    // ...then closed by the server while idle.
    const closedAt = await conn.closed;
    expect(closedAt - idleFrom).toBeGreaterThanOrEqual(KEEP_ALIVE_MS * 0.5);
    expect(closedAt - idleFrom).toBeLessThan(KEEP_ALIVE_MS + SLACK_MS);
  }, 20_000);

  it('closes a keep-alive connection after maxRequestsPerSocket requests', async () => {
    const conn = await rawConnect(c.port);
    for (let i = 1; i <= 3; i++) {
      await conn.write(GET_HEALTH);
      await conn.waitFor(new RegExp(`(\\{"ok":true\\}[\\s\\S]*){${i}}`));
    }
    const responses = conn.received().split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(3);
    expect(responses[2]).toMatch(/connection: close/i);
    await conn.closed;
  }, 20_000);

  it('refuses connections over maxConnections while the existing ones keep working', async () => {
    const streams: StreamClient[] = [];
    try {
      for (let i = 0; i < MAX_CONNECTIONS; i++) streams.push(await connectStream(c.url, c.token, { user: `u${i}` }));
      const over = await rawConnect(c.port).catch(() => undefined);
      if (over) {
        await over.write(GET_HEALTH);
        await over.closed;
        expect(over.received()).toBe('');
      }
      // The stream connections outlive the request timeout (upgraded sockets have none) and still answer.
      await sleep(REQUEST_TIMEOUT_MS + 500);
      for (const [i, s] of streams.entries()) {
        s.send({ type: 'command', id: `door-${i}`, kind: 'ack', alertId: 'no-such-alert' });
        await s.waitFor((f) => f.type === 'result' && f.id === `door-${i}`);
      }
      // A freed slot is usable again.
      await streams.pop()?.close();
      await sleep(200);
      await healthy();
    } finally {
      for (const s of streams) await s.close();
    }
  }, 30_000);
});

import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvents, randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { rawConnect, rssBytes, sleep, type RawConnection } from '../fixtures/raw-http.js';

/**
 * Issue 11: authenticate before buffering any body. Events-v2 may be reached without the bearer
 * token (routing_key in the body); such bodies share a small byte budget and a short deadline.
 */
const ROUTING_KEY = 'r0ut1ng-key-for-door-tests-0123';
const EV2 = '/v1/integrations/events-v2';
const FLOOD = 200;
const DECLARED = 512 * 1024;
const PARTIAL = 420 * 1024;
const BODY_TIMEOUT_MS = 6_000;
/**
 * Before issue 11 these 200 requests held +84 MB (measured); now about +16 MB (connections, first
 * reads, and the 2 × 420 KB one host's share of the budget admits).
 */
const MAX_RSS_GROWTH = 40 * 1024 * 1024;

const MB = (b: number): string => (b / 1024 / 1024).toFixed(1);

function head(path: string, extra = ''): string {
  return (
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
    `content-length: ${DECLARED}\r\n${extra}\r\n`
  );
}

async function postEv2(url: string, body: unknown, token?: string): Promise<number> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${url}${EV2}`, { method: 'POST', headers, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

/** A keyed Events-v2 POST from `localAddress` (another 127.x address looks like another host). */
function postEv2From(port: number, localAddress: string, body: unknown): Promise<number> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        agent: false,
        method: 'POST',
        path: EV2,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(text);
  });
}

const trigger = (summary: string): Record<string, unknown> => ({
  routing_key: ROUTING_KEY,
  event_action: 'trigger',
  payload: { summary, source: 'door-test', severity: 'warning' },
});

describe('events-v2 with routing keys configured: unauthenticated bodies are bounded', () => {
  let c: CollectorHandle;
  beforeAll(async () => {
    c = await startCollector({
      token: randomToken(),
      configYaml: [
        'integrations:',
        '  eventsV2:',
        `    routingKeys: ["${ROUTING_KEY}"]`,
        'server:',
        `  unauthenticatedBodyTimeout: ${BODY_TIMEOUT_MS}ms`,
        '',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('200 unfinished unauthenticated requests grow RSS little; /healthz and authenticated ingest keep working', async () => {
    const pid = c.pid as number;
    // Warm up the paths the flood and the checks use, so their one-off allocations are not counted.
    expect(await postEv2(c.url, trigger('warm-up'))).toBe(202);
    await postEvents(c.url, c.token, []);
    await sleep(300);
    const before = await rssBytes(pid);

    const partial = Buffer.alloc(PARTIAL, 0x61);
    partial.write(`{"routing_key":"${ROUTING_KEY}","x":"`);
    const conns: RawConnection[] = [];
    for (let i = 0; i < FLOOD; i++) {
      const conn = await rawConnect(c.port);
      void conn.write(head(EV2) + partial.toString('latin1'));
      conns.push(conn);
    }
    // Give the collector time to read whatever it is going to buffer.
    const start = performance.now();
    const answered = (): number => conns.filter((x) => /^HTTP\/1\.1 \d{3}/.test(x.received())).length;
    while (answered() < FLOOD - 16 && performance.now() - start < 5_000) await sleep(100);
    await sleep(500);
    const during = await rssBytes(pid);

    const t0 = performance.now();
    const health = await fetch(`${c.url}/healthz`);
    const healthMs = performance.now() - t0;
    expect(health.status).toBe(200);
    const now = Date.parse('2026-01-01T00:00:00Z');
    const ingest = await postEvents(c.url, c.token, [
      {
        ts: now,
        service: 'door',
        provider: 'openai',
        model: 'gpt-4o',
        latency_ms: 5,
        input_tokens: 1,
        output_tokens: 1,
        status: 'ok',
      },
    ]);
    expect(ingest).toEqual({ status: 200, body: { accepted: 1 } });

    const statuses = conns.map((x) => /^HTTP\/1\.1 (\d{3})/.exec(x.received())?.[1] ?? 'none');
    const count = (s: string): number => statuses.filter((x) => x === s).length;
    const growth = during - before;
    console.log(
      `[door] ${FLOOD} unfinished unauthenticated events-v2 requests (${PARTIAL / 1024} KB of ${DECLARED / 1024} KB sent each): ` +
        `collector RSS ${MB(before)} MB -> ${MB(during)} MB (growth ${MB(growth)} MB); ` +
        `503: ${count('503')}, still held: ${count('none')}; /healthz in ${healthMs.toFixed(0)} ms`,
    );
    expect(growth).toBeLessThan(MAX_RSS_GROWTH);
    expect(healthMs).toBeLessThan(2_000);
    expect(count('503')).toBeGreaterThan(FLOOD / 2);
    expect(statuses.some((s) => s.startsWith('2'))).toBe(false);
    const busy = conns.find((x) => x.received().startsWith('HTTP/1.1 503'));
    expect(busy?.received()).toMatch(/retry-after: \d+/i);

    // The held ones run out of time: 408, connection closed, budget given back.
    const held = conns.filter((x) => x.received() === '');
    expect(held.length).toBeGreaterThan(0);
    for (const h of held) await h.waitFor(/^HTTP\/1\.1 408/, BODY_TIMEOUT_MS + 10_000);
    await Promise.all(held.map((h) => h.closed));
    for (const x of conns) x.destroy();
    expect(await postEv2(c.url, trigger('after the flood'))).toBe(202);
  }, 60_000);

  it('slow clients trickling bodies (chunked or announced) cannot keep keyed senders on 503', async () => {
    // Review of issue 11, finding 4: each reserved its announced length (chunked: 512 KB) up
    // front, so 8 slow clients held the whole 4 MiB budget and keyed senders got 503.
    const TRICKLERS = 12; // of each kind
    const chunked: RawConnection[] = [];
    const announced: RawConnection[] = [];
    for (let i = 0; i < TRICKLERS; i++) {
      const a = await rawConnect(c.port);
      await a.write(
        `POST ${EV2} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
          'transfer-encoding: chunked\r\n\r\n1\r\n{\r\n',
      );
      chunked.push(a);
      const b = await rawConnect(c.port);
      await b.write(`${head(EV2)}{`);
      announced.push(b);
    }
    let trickling = true;
    const trickle = (async () => {
      while (trickling) {
        for (const a of chunked) void a.write('1\r\n \r\n');
        for (const b of announced) void b.write(' ');
        await sleep(250);
      }
    })();
    try {
      await sleep(500);
      const statuses: number[] = [];
      for (let k = 0; k < 10; k++) {
        statuses.push(await postEv2(c.url, trigger(`keyed while others trickle ${k}`)));
        await sleep(100);
      }
      expect(statuses).toEqual(Array<number>(10).fill(202));
      // The tricklers were not refused (they hold next to nothing): only their deadline ends them.
      for (const x of [...chunked, ...announced]) expect(x.received()).toBe('');
    } finally {
      trickling = false;
      await trickle;
      for (const x of [...chunked, ...announced]) x.destroy();
    }
  }, 30_000);

  it('bodies in flight from one host hold at most its share: its next is 503 at once, other hosts are served', async () => {
    const SENT = 500 * 1024; // of the 512 KB announced, so the bodies stay in flight
    const filler = `{"routing_key":"${ROUTING_KEY}","x":"`.padEnd(SENT, 'a');
    const hold = async (localAddress: string): Promise<RawConnection> => {
      const h = await rawConnect(c.port, { localAddress });
      await h.write(head(EV2) + filler);
      return h;
    };
    const holders: RawConnection[] = [];
    try {
      // Two such bodies hold 127.0.0.1's share (a quarter of the 4 MiB budget).
      for (let i = 0; i < 2; i++) holders.push(await hold('127.0.0.1'));
      await sleep(1_000);
      const extra = await rawConnect(c.port);
      await extra.write(head(EV2));
      await extra.waitFor(/^HTTP\/1\.1 503/, 3_000);
      expect(extra.received()).toMatch(/retry-after: \d+/i);
      expect(extra.received()).toContain('"code":"unavailable"');
      await extra.closed;
      // Another host's keyed sender is served; a bearer-token sender is not subject to the budget.
      expect(await postEv2From(c.port, '127.0.0.2', trigger('from another host'))).toBe(202);
      expect(await postEv2(c.url, { ...trigger('with the token'), routing_key: 'x' }, c.token)).toBe(202);
      // Three more hosts holding their shares fill the budget: a fifth host's large body is then
      // 503 at once, while a small one still fits in what is left.
      for (const host of ['127.0.0.2', '127.0.0.3', '127.0.0.4']) {
        for (let i = 0; i < 2; i++) holders.push(await hold(host));
      }
      await sleep(1_000);
      const fifth = await rawConnect(c.port, { localAddress: '127.0.0.5' });
      await fifth.write(head(EV2));
      await fifth.waitFor(/^HTTP\/1\.1 503/, 3_000);
      await fifth.closed;
      expect(await postEv2From(c.port, '127.0.0.5', trigger('small, fits'))).toBe(202);
      expect(holders.every((h) => h.received() === '')).toBe(true);
    } finally {
      for (const h of holders) h.destroy();
    }
    await sleep(300);
    expect(await postEv2(c.url, trigger('budget back'))).toBe(202);
  }, 30_000);

  it('other routes without the token are 401 before their body is sent', async () => {
    for (const path of ['/v1/events', '/v1/evals', '/v1/integrations/alertmanager', '/v1/traces']) {
      const conn = await rawConnect(c.port);
      await conn.write(head(path));
      await conn.waitFor(/^HTTP\/1\.1 401/, 3_000);
      await conn.closed;
    }
  });

  it('a wrong routing_key or a body that is not UTF-8 is 401', async () => {
    expect(await postEv2(c.url, { ...trigger('x'), routing_key: 'not-the-key-not-the-key' })).toBe(401);
    const res = await fetch(`${c.url}${EV2}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.concat([Buffer.from(JSON.stringify(trigger('bad')).slice(0, -2)), Buffer.from([0xff, 0x22, 0x7d])]),
    });
    expect(res.status).toBe(401);
  });
});

describe('events-v2 without routing keys configured', () => {
  let c: CollectorHandle;
  beforeAll(async () => {
    c = await startCollector({ token: randomToken() });
  });
  afterAll(async () => {
    await c.stop();
  });

  it('is 401 at once without the bearer token, before any body is sent', async () => {
    const conn = await rawConnect(c.port);
    const t0 = performance.now();
    await conn.write(head(EV2));
    await conn.waitFor(/^HTTP\/1\.1 401/, 3_000);
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(conn.received()).toContain('"code":"unauthorized"');
    await conn.closed;
    expect(await postEv2(c.url, trigger('keyed'))).toBe(401);
    expect(await postEv2(c.url, trigger('with the token'), c.token)).toBe(202);
  });
});

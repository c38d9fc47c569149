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
const BODY_TIMEOUT_MS = 4_000;
/** Before the fix these 200 requests held +84 MB (measured); now about +16..20 MB (connections, first reads, 8 × 420 KB held). */
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

  it('over the budget the answer is 503 at once, without reading the body', async () => {
    // 8 × 512 KB fills the default budget (4 MiB); the 9th is refused before sending any body.
    const holders: RawConnection[] = [];
    for (let i = 0; i < 8; i++) {
      const h = await rawConnect(c.port);
      await h.write(head(EV2));
      holders.push(h);
    }
    await sleep(300);
    const extra = await rawConnect(c.port);
    await extra.write(head(EV2));
    await extra.waitFor(/^HTTP\/1\.1 503/, 3_000);
    expect(extra.received()).toMatch(/retry-after: \d+/i);
    expect(extra.received()).toContain('"code":"unavailable"');
    await extra.closed;
    // A bearer-token sender is not subject to the budget.
    expect(await postEv2(c.url, { ...trigger('with the token'), routing_key: 'x' }, c.token)).toBe(202);
    for (const h of holders) h.destroy();
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

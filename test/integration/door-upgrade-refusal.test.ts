import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { processAlive, rawConnect, sleep, upgradeRequest, type RawConnection } from '../fixtures/raw-http.js';

/**
 * Review of issue 11, finding 2: a refused stream upgrade (wrong token, wrong path) was answered
 * with `socket.end()` only. An upgraded socket has no request or headers timeout left, so a
 * client that never sends its FIN kept the connection for good; `server.maxConnections` of them
 * (no token needed) locked everyone out. The collector now closes a refused connection itself.
 */
const MAX_CONNECTIONS = 4;
/** More refused clients than connection slots: before the fix the fifth got no answer at all. */
const REFUSED = 10;
/** The answer grace is 1 s; the machine is shared and loaded, so the bound is generous. */
const CLOSE_BOUND_MS = 6_000;

let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({
    token: randomToken(),
    configYaml: ['server:', `  maxConnections: ${MAX_CONNECTIONS}`, ''].join('\n'),
  });
});
afterAll(async () => {
  await c.stop();
});

/**
 * Resolves with how long after the answer the server closed `conn`. The client never closes: with
 * allowHalfOpen it keeps its side open after the server's FIN, and only the server destroying its
 * socket (then answering our writes with a reset) ends the connection.
 */
async function closedByServerWithin(conn: RawConnection, boundMs: number): Promise<number> {
  const t0 = performance.now();
  let open = true;
  void conn.closed.then(() => (open = false));
  while (open && performance.now() - t0 < boundMs) {
    await conn.write('x');
    await sleep(100);
  }
  expect(open, `connection still open ${boundMs} ms after the refusal`).toBe(false);
  return (await conn.closed) - t0;
}

/** GET /healthz on its own connection, closed after (fetch would keep one of the few slots pooled). */
async function healthz(): Promise<boolean> {
  const conn = await rawConnect(c.port).catch(() => undefined);
  if (!conn) return false;
  try {
    await conn.write('GET /healthz HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n');
    await conn.waitFor(/^HTTP\/1\.1 200[\s\S]*\{"ok":true\}/, 3_000);
    return true;
  } catch {
    return false;
  } finally {
    conn.destroy();
  }
}

async function healthy(): Promise<void> {
  expect(await healthz()).toBe(true);
}

describe('refused stream upgrades', () => {
  it(`${REFUSED} refused upgrades from clients that never close do not hold the ${MAX_CONNECTIONS} connection slots`, async () => {
    const cases = [
      {
        name: 'wrong token',
        request: upgradeRequest('/v1/stream', 'authorization: Bearer not-the-token-at-all\r\n'),
        status: 401,
      },
      { name: 'no token', request: upgradeRequest('/v1/stream'), status: 401 },
      { name: 'wrong path', request: upgradeRequest('/v1/elsewhere'), status: 404 },
      { name: 'not a path', request: upgradeRequest('//'), status: 400 },
    ];
    const closeMs: number[] = [];
    for (let i = 0; i < REFUSED; i++) {
      const k = cases[i % cases.length] as (typeof cases)[number];
      const conn = await rawConnect(c.port, { allowHalfOpen: true });
      await conn.write(k.request);
      await conn.waitFor(new RegExp(`^HTTP/1\\.1 ${k.status} [\\s\\S]*\\}$`), 5_000).catch((err: Error) => {
        throw new Error(`refused client ${i + 1} (${k.name}): ${err.message}`);
      });
      closeMs.push(await closedByServerWithin(conn, CLOSE_BOUND_MS));
    }
    console.log(
      `[door] ${REFUSED} refused upgrades closed by the collector after ${closeMs.map((m) => m.toFixed(0)).join(', ')} ms`,
    );
    await healthy();
  }, 90_000);

  it('refused clients holding their side open all at once do not lock the others out', async () => {
    // Fill every slot with refused clients at the same time; none closes its side.
    const conns = await Promise.all(
      Array.from({ length: MAX_CONNECTIONS }, () => rawConnect(c.port, { allowHalfOpen: true })),
    );
    await Promise.all(conns.map((x) => x.write(upgradeRequest('/v1/stream'))));
    await Promise.all(conns.map((x) => x.waitFor(/^HTTP\/1\.1 401/, 5_000)));
    const t0 = performance.now();
    let ok = false;
    while (!ok && performance.now() - t0 < CLOSE_BOUND_MS) {
      ok = await healthz();
      if (!ok) await sleep(200);
    }
    expect(ok, `/healthz refused for ${CLOSE_BOUND_MS} ms while refused clients held the slots`).toBe(true);
    for (const x of conns) x.destroy();
  }, 30_000);

  it('a client resetting right after its upgrade request does not take the collector down', async () => {
    for (let i = 0; i < 40; i++) {
      const conn = await rawConnect(c.port).catch((err: Error) => {
        throw new Error(`connect ${i + 1}: ${err.message}; collector output:\n${c.output().slice(-2_000)}`);
      });
      conn.socket.write(upgradeRequest('/v1/stream', `x-pad: ${'p'.repeat(2_000)}\r\n`));
      conn.socket.resetAndDestroy();
      if (i % 10 === 9) await sleep(50);
    }
    await sleep(500);
    expect(processAlive(c.pid as number), `collector exited:\n${c.output()}`).toBe(true);
    await healthy();
  }, 30_000);
});

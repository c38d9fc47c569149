import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { startHeadless } from '../fixtures/headless.js';

/**
 * Issue 16, a stable address: `npm run web` reuses last run's port and token (host.json in the
 * data dir, 0600), so an open tab reconnects after a restart; `--new-token` makes a new token;
 * a port someone else took falls back to a free one, and the host says so.
 */
let collector: CollectorHandle;
let dir: string;
let blocker: Server | undefined;

beforeAll(async () => {
  collector = await startCollector();
  dir = mkdtempSync(join(tmpdir(), 'vigil-address-'));
});

afterAll(async () => {
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  await collector?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[] = []) =>
  startHeadless({
    collectorUrl: collector.url,
    collectorToken: collector.token,
    user: 'dana',
    dataDir: dir,
    port: 'last',
    args,
  });

describe('the headless host keeps its address across runs', () => {
  it('same port and token on the second run; a new token with --new-token; a taken port falls back with a new token', async () => {
    const first = await run();
    await first.stop();
    const file = join(dir, 'host.json');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ port: first.port, token: first.token });

    const second = await run();
    // A tab still holding the first run's URL gets in: same origin, same token.
    const ws = new WebSocket(first.bridgeUrl, { origin: first.origin });
    await new Promise<void>((ok, fail) => {
      ws.once('open', () => ok());
      ws.once('error', fail);
    });
    ws.close();
    await second.stop();
    expect(second.url).toBe(first.url);

    const third = await run(['--new-token']);
    await third.stop();
    expect(third.port).toBe(first.port);
    expect(third.token).not.toBe(first.token);

    // Someone else listens on our port now.
    const taken = createServer();
    blocker = taken;
    await new Promise<void>((r) => taken.listen(first.port, '127.0.0.1', () => r()));
    const fourth = await run();
    const out = fourth.output();
    await fourth.stop();
    expect(fourth.port).not.toBe(first.port);
    // Whoever holds the old port may have received the open tab's reconnect with ?token=: that
    // token is burnt, so the fallback run mints a new one and says so.
    expect(fourth.token).not.toBe(third.token);
    expect(out).toContain(`port ${first.port} is taken: using port ${fourth.port} and a new token this run`);
    // The new address is the stored one.
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ port: fourth.port, token: fourth.token });
  }, 90_000);
});

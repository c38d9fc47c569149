import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath } from '../fixtures/browser.js';
import { openApp, waitFor, type App } from '../fixtures/e2e.js';

/**
 * The host stops and another local program takes its port. The open tab reconnects on its own;
 * it must ask for a proof first and, getting a wrong one, never send its token there.
 */
describe('bridge reconnect to an impostor', () => {
  let app: App;
  let fake: Server | undefined;

  beforeAll(async () => {
    app = await openApp({ user: 'alice' });
  });

  afterAll(async () => {
    await new Promise<void>((done) => (fake ? fake.close(() => done()) : done()));
    fake?.closeAllConnections();
    await app?.close();
  });

  it('asks the new listener for a proof, gets a wrong one, and keeps the token', async () => {
    const { host, page } = app;
    const seen: string[] = [];
    let upgrades = 0;
    await host.kill('SIGKILL');
    fake = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${JSON.stringify(req.headers)}`);
      if (req.url?.startsWith('/bridge/proof')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ proof: 'A'.repeat(43) }));
      } else {
        res.writeHead(404).end();
      }
    });
    fake.on('upgrade', (req, socket) => {
      upgrades++;
      seen.push(`UPGRADE ${req.url}`);
      socket.destroy();
    });
    await new Promise<void>((done, fail) => {
      fake!.once('error', fail);
      fake!.listen(host.port, '127.0.0.1', () => done());
    });

    const status = page.getByTestId('connection-status');
    await waitFor(
      'the page to say the address cannot prove it',
      async () => ((await status.innerText()).includes('answers without our token') ? true : undefined),
      20_000,
    );
    await waitFor(
      'a second proof attempt (backoff retry)',
      async () => (seen.filter((s) => s.startsWith('GET /bridge/proof')).length >= 2 ? true : undefined),
      20_000,
    );
    await page.screenshot({ path: artifactPath('bridge-impostor.png') });
    expect(upgrades).toBe(0);
    for (const line of seen) expect(line).not.toContain(host.token);
  });
});

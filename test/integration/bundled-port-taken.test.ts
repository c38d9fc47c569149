import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import { sourceEntries, startBundledCollector } from '../../electron/main/bundled-collector.js';
import { nodeSpawner } from '../../electron/main/spawner.js';
import { isAlive } from '../fixtures/child-process.js';

/**
 * Issue 16 review (M5): the bundled collector restarts on its pinned port, but when another
 * process took that port while it was down, retrying would crash-loop for as long as the port is
 * held (and the desktop would keep sending the token there). The next restart takes a free port
 * and says so (onMoved), so the session rebinds.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const BACKOFF = { baseMs: 500, capMs: 2_000, factor: 2, jitter: 0 };
const dir = mkdtempSync(join(tmpdir(), 'vigil-bundled-port-'));
let blocker: Server | null = null;

afterAll(() => {
  blocker?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 40_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('bundled collector whose port is taken while it is down', () => {
  it('comes back on a fresh port and reports the move', async () => {
    const moved: string[] = [];
    const warnings: string[] = [];
    const bc = await startBundledCollector({
      spawner: nodeSpawner(),
      entries: sourceEntries(ROOT, false),
      dataDir: join(dir, 'collector'),
      stdinFollowsParent: true,
      clock: systemClock,
      log: { info: () => {}, warn: (l) => void warnings.push(l), error: () => {} },
      onMoved: (url) => void moved.push(url),
      supervisor: { backoff: BACKOFF },
    });
    try {
      const before = bc.url;
      const port = Number(new URL(before).port);
      const pid = bc.collector.pid() as number;
      process.kill(pid, 'SIGKILL');
      await until('the collector gone', () => !isAlive(pid));
      // Someone else takes the port during the backoff wait.
      const taken = createServer();
      blocker = taken;
      await new Promise<void>((ok, fail) => {
        taken.once('error', fail);
        taken.listen(port, '127.0.0.1', () => ok());
      });
      const url = await until('the move reported', () => moved[0]);
      expect(url).not.toBe(before);
      expect(bc.url).toBe(url);
      expect(warnings.some((w) => w.includes(`port ${port} is taken`))).toBe(true);
      let status = 0;
      await until('the collector answering at its new URL', () => {
        void fetch(`${url}/healthz`)
          .then((r) => (status = r.status))
          .catch(() => {});
        return status === 200;
      });
    } finally {
      await bc.stop();
    }
  }, 90_000);
});

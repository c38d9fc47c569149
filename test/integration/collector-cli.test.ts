import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectStream, randomToken, startCollector } from '../fixtures/collector.js';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-cli-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Runs the CLI expecting it to exit by itself; returns exit code and output. */
function runCli(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'electron/collector/cli.ts', ...args], { cwd: ROOT });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

describe('collector CLI', () => {
  it('refuses bad arguments and bad config files with a clear message', async () => {
    const noDir = await runCli(['--port', '0']);
    expect(noDir.code).not.toBe(0);
    expect(noDir.out).toContain('--data-dir is required');

    const badPort = await runCli(['--port', 'abc', '--data-dir', tempDir()]);
    expect(badPort.code).not.toBe(0);
    expect(badPort.out).toContain('--port must be');

    const dir = tempDir();
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'rules:\n  errorRate:\n    threshold: lots\n  typo: 1\n');
    const badCfg = await runCli(['--port', '0', '--data-dir', dir, '--config', cfg]);
    expect(badCfg.code).not.toBe(0);
    expect(badCfg.out).toMatch(/rules\.errorRate\.threshold: expected number/);
    expect(badCfg.out).toMatch(/rules: .*typo/);

    const wideOpen = await runCli(['--port', '0', '--data-dir', tempDir(), '--host', '0.0.0.0']);
    expect(wideOpen.code).not.toBe(0);
    expect(wideOpen.out).toContain('requires an explicit token');
  });

  it('creates a 0600 token file on first start and prints the listening line once', async () => {
    const c = await startCollector();
    try {
      expect(statSync(join(c.dataDir, 'token')).mode & 0o777).toBe(0o600);
      expect(c.output().match(/listening on http:\/\/127\.0\.0\.1:\d+/g)).toHaveLength(1);
      expect(c.port).toBeGreaterThan(0);
    } finally {
      await c.stop();
    }
  });

  it('heartbeats: pings every interval and terminates silent peers', async () => {
    const token = randomToken();
    const c = await startCollector({ token, configYaml: 'stream:\n  heartbeat: 200ms\n  deadAfter: 1s\n' });
    try {
      const s = await connectStream(c.url, token, { user: 'sleepy' });
      await s.waitFor((f) => f.type === 'ping');
      // This client never answers pongs: it must be dropped after ~1 s.
      const closed = await s.closed();
      expect(closed.code).not.toBe(1000);
      const alive = await connectStream(c.url, token, { user: 'awake' });
      const t0 = Date.now();
      while (Date.now() - t0 < 1_600) {
        const ping = await alive.waitFor((f) => f.type === 'ping' && !alive.frames.some((g) => g === f && g.answered));
        ping.answered = true;
        alive.send({ type: 'pong', t: ping.t });
      }
      expect(alive.frames.some((f) => f.type === 'error')).toBe(false);
      await alive.close();
      const m = await (await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
      expect(m).toContain('vigil_ws_clients 0');
    } finally {
      await c.stop();
    }
  });
});

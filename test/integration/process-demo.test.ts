import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';
import { cmdline, demoChildren, isRunning, ROOT, startDemoHost, stats, until, type DemoHost } from './process-tree.js';

/**
 * Issue 11, processes and local secrets, against the real `npm run web` host in demo mode (it
 * starts the bundled collector and the simulator as child processes):
 * - no token on any command line (/proc/PID/cmdline is readable by every local user);
 * - data dirs 0700 and database/token files 0600, even under umask 000;
 * - `kill -9` of the host takes its collector and simulator down with it;
 * - a second run resumes the simulated history where the stored data ends, instead of posting
 *   the backfilled span again.
 */
const BACKFILL = '30m';
const xdg = mkdtempSync(join(tmpdir(), 'vigil-proc-'));
const collectorDir = join(xdg, 'vigil', 'collector');
const hostDir = join(xdg, 'vigil', 'headless');
let first: DemoHost | undefined;
let second: DemoHost | undefined;
let children: { collector: number; simulator: number } | undefined;
let afterFirst = 0;
const extra: { collector?: CollectorHandle; host?: HeadlessHandle } = {};

afterAll(async () => {
  await first?.stop('SIGKILL');
  await second?.stop();
  await extra.host?.stop();
  await extra.collector?.stop();
  rmSync(xdg, { recursive: true, force: true });
});

const mode = (path: string): string => (statSync(path).mode & 0o777).toString(8);
const token = (): string => readFileSync(join(collectorDir, 'token'), 'utf8').trim();

/** Waits until every backfilled event is stored: events are delivered in order and the first live one is newer. */
async function backfillStored(host: DemoHost, sawLiveAt: number): Promise<number> {
  const s = await until(
    'the backfill to be stored (an event newer than the live line)',
    async () => {
      const s = await stats(host.collectorUrl, token());
      return (s.lastEventTs ?? 0) >= sawLiveAt ? s : undefined;
    },
    60_000,
  );
  return s.events;
}

describe('the demo host and its children', () => {
  it('starts the collector and the simulator without a token on any command line', async () => {
    first = await startDemoHost({ xdgDataHome: xdg, backfill: BACKFILL, umask0: true });
    const host = first;
    const c = await until(
      'the collector and simulator processes',
      () => {
        const k = demoChildren(host.pid);
        return k.collector && k.simulator ? { collector: k.collector, simulator: k.simulator } : undefined;
      },
      20_000,
    );
    children = c;
    const secrets = [token(), host.bridgeToken];
    for (const pid of [host.pid, c.collector, c.simulator]) {
      const argv = cmdline(pid);
      for (const secret of secrets) expect(argv, `pid ${pid}: ${argv}`).not.toContain(secret);
    }
    // They follow the host: stdin pipes they watch.
    expect(cmdline(c.collector)).toContain('--exit-with-parent');
    expect(cmdline(c.simulator)).toContain('--exit-on-eof');
  });

  it('keeps its data private: dirs 0700, token and SQLite files 0600, whatever the umask', async () => {
    const host = first as DemoHost;
    await until('the simulator to go live', () => /vigil-sim: live/.test(host.output()), 60_000);
    afterFirst = await backfillStored(host, Date.now());
    // The host's cache fills from the stream; its -wal exists once it has written.
    await until('the cache WAL', () => existsSync(join(hostDir, 'cache.db-wal')), 20_000);
    expect(mode(join(xdg, 'vigil'))).toBe('700');
    expect(mode(collectorDir)).toBe('700');
    expect(mode(hostDir)).toBe('700');
    for (const f of ['token', 'collector.lock', 'collector.db', 'collector.db-wal', 'collector.db-shm']) {
      expect(mode(join(collectorDir, f)), f).toBe('600');
    }
    // host.json holds the bridge token the next run reuses (issue 16).
    for (const f of ['cache.db', 'cache.db-wal', 'cache.db-shm', 'host.json']) {
      expect(mode(join(hostDir, f)), f).toBe('600');
    }
    // Issue 16: the person at the keyboard is this week's primary of the demo rotation (issue 14 had them secondary).
    const demo = parseYaml(readFileSync(join(collectorDir, 'demo-config.yaml'), 'utf8')) as {
      rotation: { roster: string[]; escalationContact?: string };
    };
    expect(demo.rotation.roster[0]).toBe(userInfo().username);
    expect(demo.rotation.roster).toHaveLength(3);
    expect(demo.rotation.escalationContact).toBeDefined();
    expect(JSON.parse(readFileSync(join(collectorDir, 'collector.lock'), 'utf8'))).toMatchObject({
      pid: children?.collector,
    });
  });

  it('kill -9 of the host: its collector and simulator exit within seconds, and free the data dir', async () => {
    const host = first as DemoHost;
    const c = children as { collector: number; simulator: number };
    const t0 = performance.now();
    await host.stop('SIGKILL');
    await until(
      'the collector and the simulator to exit',
      () => !isRunning(c.collector) && !isRunning(c.simulator),
      15_000,
    );
    const ms = performance.now() - t0;
    console.log(`children gone ${ms.toFixed(0)} ms after kill -9 of the host`);
    expect(ms).toBeLessThan(15_000);
    // A clean shutdown (stdin closed → dispose), not a crash: the lock went with it.
    expect(existsSync(join(collectorDir, 'collector.lock'))).toBe(false);
  });

  it('a second run backfills only the span since the data ends, not the whole day again', async () => {
    second = await startDemoHost({ xdgDataHome: xdg, backfill: BACKFILL });
    const host = second;
    await until('the simulator to go live', () => /vigil-sim: live/.test(host.output()), 60_000);
    expect(host.output()).toMatch(/collector has data up to .*: backfilling only the \d+ min after it/);
    const afterSecond = await backfillStored(host, Date.now());
    const grew = afterSecond - afterFirst;
    console.log(`stored events: ${afterFirst} after the first run, ${afterSecond} after the second (+${grew})`);
    expect(afterFirst).toBeGreaterThan(0);
    // Posting the 30 min again would at least double it; the gap and a few live seconds are small.
    expect(grew).toBeLessThan(afterFirst / 4);
    const c = demoChildren(host.pid);
    await host.stop('SIGTERM');
    await until(
      'children to exit',
      () => !(c.collector && isRunning(c.collector)) && !(c.simulator && isRunning(c.simulator)),
      15_000,
    );
  });
});

describe('a headless host pointed at a team collector', () => {
  it('gets the token from its environment: neither process shows it on its command line', async () => {
    // base64url tokens may start with '-': the environment takes any.
    extra.collector = await startCollector({ token: `-${randomToken()}` });
    const c = extra.collector;
    extra.host = await startHeadless({ collectorUrl: c.url, collectorToken: c.token, user: 'dana' });
    const h = extra.host;
    for (const pid of [c.pid, h.pid]) {
      if (pid === undefined) throw new Error('no pid');
      expect(cmdline(pid)).not.toContain(c.token);
    }
    // That the token works through the environment: headless-collector.test.ts acknowledges a page this way.
  });
});

/** Runs headless-cli expecting it to exit by itself (bad arguments); exit code and output. */
function runHostCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((done) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (!('VIGIL_COLLECTOR_TOKEN' in env)) delete e.VIGIL_COLLECTOR_TOKEN;
    const p = spawn(process.execPath, ['--import', 'tsx', 'electron/main/headless-cli.ts', ...args], {
      cwd: ROOT,
      env: e,
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, out });
    });
  });
}

describe('headless-cli token and demo arguments', () => {
  it('asks for the team token by environment or file, and checks --demo-backfill', async () => {
    const none = await runHostCli(['--collector', 'http://127.0.0.1:9']);
    expect(none.code).toBe(2);
    expect(none.out).toContain(
      '--collector needs its token: VIGIL_COLLECTOR_TOKEN in the environment, or --collector-token-file FILE',
    );
    const missing = await runHostCli([
      '--collector',
      'http://127.0.0.1:9',
      '--collector-token-file',
      join(xdg, 'nope'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.out).toContain('--collector-token-file: cannot read');
    // One minimum token length everywhere (review of issue 11, finding 19): a short team token is refused.
    const weak = await runHostCli(['--collector', 'http://127.0.0.1:9'], { VIGIL_COLLECTOR_TOKEN: 'short' });
    expect(weak.code).toBe(2);
    expect(weak.out).toContain('VIGIL_COLLECTOR_TOKEN must be at least 16 characters');
    const short = await runHostCli(['--demo-backfill', '10m']);
    expect(short.code).toBe(2);
    expect(short.out).toContain("--demo-backfill: '10m' must be a duration from 20m to 90d");
    const both = await runHostCli(['--collector-token-file', 'x']);
    expect(both.code).toBe(2);
    expect(both.out).toContain('--collector-token-file goes with --collector URL');
  });
});

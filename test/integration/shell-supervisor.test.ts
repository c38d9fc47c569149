import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock.js';
import { sourceEntries, startBundledCollector } from '../../electron/main/bundled-collector.js';
import { nodeSpawner } from '../../electron/main/spawner.js';
import { Supervisor } from '../../electron/main/supervisor.js';
import { isAlive } from '../fixtures/child-process.js';

/**
 * The supervisor with real processes (plain Node children, the same code path as Electron's
 * utilityProcess behind the Spawner interface): a crash restarts with growing backoff, stop()
 * ends the child, and nothing restarts after a stop.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-supervisor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A child that says hello, then lives until killed (or crashes at once when told). */
const script = join(dir, 'child.mjs');
writeFileSync(
  script,
  [
    'process.stdout.write(`up ${process.pid}\\n`);',
    "if (process.argv[2] === 'crash') setTimeout(() => process.exit(3), 50);",
    'else setInterval(() => {}, 1000);',
    "process.stdin.on('data', (d) => process.stdout.write(`got ${String(d).trim()}\\n`));",
    "process.on('SIGTERM', () => { process.stdout.write('bye\\n'); process.exit(0); });",
  ].join('\n'),
);

async function until<T>(what: string, f: () => T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = f();
    if (v) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const BACKOFF = { baseMs: 200, capMs: 2_000, factor: 2, jitter: 0 };

describe('collector supervisor (plain Node children)', () => {
  it('restarts a crashing child with growing backoff, then stops it for good', async () => {
    const starts: number[] = [];
    const delays: number[] = [];
    let mode = 'crash';
    const sup = new Supervisor({
      spawner: nodeSpawner(),
      spec: () => ({ name: 'child', modulePath: script, args: [mode] }),
      clock: systemClock,
      backoff: BACKOFF,
      stableAfterMs: 60_000,
    });
    sup.onStarted(() => starts.push(performance.now()));
    const codes: (number | null)[] = [];
    sup.onExit((e) => {
      codes.push(e.code);
      if (e.restartInMs !== undefined) delays.push(e.restartInMs);
    });
    sup.start();
    await until('three starts', () => starts.length >= 3);
    // Backoff doubles: 200 ms, then 400 ms (no jitter); measured gaps include the child's life.
    expect(delays.slice(0, 2)).toEqual([200, 400]);
    expect(codes.slice(0, 2)).toEqual([3, 3]); // the script's own crash, not a load error
    const gap1 = (starts[1] ?? 0) - (starts[0] ?? 0);
    const gap2 = (starts[2] ?? 0) - (starts[1] ?? 0);
    expect(gap1).toBeGreaterThanOrEqual(200);
    expect(gap2).toBeGreaterThanOrEqual(400);

    // Let the next start live, then stop: the child is gone and nothing restarts.
    mode = 'live';
    // A child started after the switch (its spec read 'live'), seen saying hello.
    const before = sup.startCount();
    const ups: string[] = [];
    sup.onLine((l) => void (l.startsWith('up ') && ups.push(l)));
    await until(
      'a live child',
      () => sup.startCount() > before && sup.state() === 'running' && ups.includes(`up ${sup.pid()}`),
    );
    const pid = sup.pid();
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(pid)).toBe(true);
    await sup.stop();
    expect(sup.state()).toBe('stopped');
    expect(isAlive(pid)).toBe(false);
    const count = sup.startCount();
    await new Promise((r) => setTimeout(r, BACKOFF.capMs + 500));
    expect(sup.startCount()).toBe(count);
    await sup.stop(); // twice is fine
  });

  it('send() reaches the running child (the Demo menu switching scenarios)', async () => {
    const sup = new Supervisor({
      spawner: nodeSpawner(),
      spec: () => ({ name: 'child', modulePath: script, args: ['live'] }),
      clock: systemClock,
    });
    const lines: string[] = [];
    sup.onLine((l) => lines.push(l));
    sup.start();
    await until('the child up', () => lines.some((l) => l.startsWith('up ')));
    sup.send('on latency-spike');
    await until('the echo', () => lines.includes('got on latency-spike'));
    await sup.stop();
    sup.send('ignored after stop');
  });

  it('a stop during the backoff wait cancels the restart', async () => {
    const sup = new Supervisor({
      spawner: nodeSpawner(),
      spec: () => ({ name: 'child', modulePath: script, args: ['crash'] }),
      clock: systemClock,
      backoff: { ...BACKOFF, baseMs: 1_000 },
    });
    sup.start();
    await until('the crash', () => sup.state() === 'waiting');
    await sup.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(sup.startCount()).toBe(1);
    expect(sup.state()).toBe('stopped');
  });

  it('SIGKILLs a child that ignores SIGTERM after the grace period', async () => {
    const stubborn = join(dir, 'stubborn.mjs');
    writeFileSync(
      stubborn,
      "process.on('SIGTERM', () => {}); process.stdout.write('up\\n'); setInterval(() => {}, 1000);",
    );
    const sup = new Supervisor({
      spawner: nodeSpawner(),
      spec: () => ({ name: 'stubborn', modulePath: stubborn, args: [] }),
      clock: systemClock,
      stopGraceMs: 300,
    });
    const up = new Promise<void>((r) => sup.onLine((l) => l === 'up' && r()));
    sup.start();
    await up;
    const pid = sup.pid();
    const t0 = performance.now();
    await sup.stop();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
    expect(isAlive(pid)).toBe(false);
  });
});

describe('bundled collector (the real collector under the supervisor)', () => {
  it('comes back on the same port after a crash, and stop() ends it cleanly', async () => {
    const dataDir = join(dir, 'collector');
    const bc = await startBundledCollector({
      spawner: nodeSpawner(),
      entries: sourceEntries(ROOT, false),
      dataDir,
      stdinFollowsParent: true,
      clock: systemClock,
      supervisor: { backoff: BACKOFF },
    });
    try {
      expect(bc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(bc.token.length).toBeGreaterThan(0);
      expect((await fetch(`${bc.url}/healthz`)).status).toBe(200);
      const first = bc.collector.pid();
      process.kill(first as number, 'SIGKILL');
      await until(
        'a restarted collector',
        () => bc.collector.startCount() === 2 && bc.collector.pid() !== first,
        30_000,
      );
      let answered = 0;
      const ok = await until(
        'the collector answering again on the same URL',
        () => {
          void fetch(`${bc.url}/v1/stats`, { headers: { authorization: `Bearer ${bc.token}` } })
            .then((r) => (answered = r.status))
            .catch(() => {});
          return answered === 200;
        },
        30_000,
      );
      expect(ok).toBe(true);
      const second = bc.collector.pid();
      await bc.stop();
      expect(isAlive(first)).toBe(false);
      expect(isAlive(second)).toBe(false);
      await expect(fetch(`${bc.url}/healthz`)).rejects.toThrow();
      await new Promise((r) => setTimeout(r, BACKOFF.baseMs * 3));
      expect(bc.collector.startCount()).toBe(2);
    } finally {
      await bc.stop();
    }
  });

  it('the Demo menu switches the supervised simulator live, and a restarted simulator is switched back', async () => {
    const lines: string[] = [];
    const log = { info: (l: string) => void lines.push(l), warn: () => {}, error: () => {} };
    const bc = await startBundledCollector({
      spawner: nodeSpawner(),
      entries: sourceEntries(ROOT, true),
      dataDir: join(dir, 'demo-collector'),
      stdinFollowsParent: true,
      simulatorArgs: ['--scenario', 'provider-outage'],
      clock: systemClock,
      log,
      supervisor: { backoff: BACKOFF },
    });
    const on = (): string[] => {
      const st = bc.state();
      return st.scenarios.filter((x) => x.active).map((x) => x.name);
    };
    const said = (text: string, after = 0): boolean => lines.slice(after).some((l) => l.includes(text));
    try {
      expect(bc.state().available).toBe(true);
      expect(on()).toEqual(['provider-outage']);
      await until('the simulator live', () => said('simulator: vigil-sim: posting to'), 30_000);
      bc.set({ name: 'cost-bug', on: true });
      bc.set({ name: 'provider-outage', on: false });
      expect(on()).toEqual(['cost-bug']);
      await until('the switches applied', () => said('scenario cost-bug on') && said('scenario provider-outage off'));
      // A crashed simulator comes back with its command line (provider-outage on): the menu's switches are replayed.
      const mark = lines.length;
      const first = bc.simulator?.pid();
      process.kill(first as number, 'SIGKILL');
      await until('a restarted simulator', () => bc.simulator?.startCount() === 2, 30_000);
      await until(
        'the switches replayed',
        () => said('scenario cost-bug on', mark) && said('scenario provider-outage off', mark),
        30_000,
      );
      expect(on()).toEqual(['cost-bug']);
      await bc.stop();
      expect(bc.state().available).toBe(false);
    } finally {
      await bc.stop();
    }
  });
});

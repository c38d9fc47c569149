import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { stopChild } from '../fixtures/child-process.js';
import { isRunning, ROOT, until } from './process-tree.js';
import { killAllCli, spawnCli, type CliRun as Run } from './collector-cli-run.js';

/**
 * One collector per data dir (issue 11): a second one refuses with exit 2, naming the dir and the
 * pid that holds it; a lock left by a `kill -9`'d collector does not block the next start; of
 * several collectors started at once over a stale lock, exactly one runs. And a collector with
 * `--exit-with-parent` shuts down cleanly when its stdin pipe closes.
 */
const dirs: string[] = [];
const procs: ChildProcess[] = [];
let held: CollectorHandle | undefined;
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-lock-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const p of procs) await stopChild(p, 'SIGKILL', 5_000);
  await killAllCli();
  await held?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A pid no process has right now. */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 100_000; pid -= 997) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

describe('the data-dir lock', () => {
  it('a second collector on the same data dir exits 2, naming the dir and the pid holding it', async () => {
    held = await startCollector();
    const second = spawnCli(['--port', '0', '--data-dir', held.dataDir]);
    expect(await second.outcome).toBe(2);
    expect(second.output()).toContain(`data dir ${held.dataDir} is in use by another collector (pid ${held.pid}`);
    // The first one is untouched.
    expect((await fetch(`${held.url}/healthz`)).status).toBe(200);
  });

  it('after kill -9 the stale lock does not block the next start', async () => {
    const c = held as CollectorHandle;
    const killedPid = c.pid;
    await c.kill('SIGKILL');
    const lock = join(c.dataDir, 'collector.lock');
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: killedPid });
    await c.restart();
    expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: c.pid });
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
    await c.stop();
    held = undefined;
  });

  it('of collectors started at once over a stale lock, exactly one runs', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'collector.lock'), `${JSON.stringify({ pid: deadPid() })}\n`);
    const runs = [
      spawnCli(['--port', '0', '--data-dir', dir]),
      spawnCli(['--port', '0', '--data-dir', dir]),
      spawnCli(['--port', '0', '--data-dir', dir]),
    ];
    const outcomes = await Promise.all(runs.map((r) => r.outcome));
    expect(outcomes.filter((o) => o === 'listening')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 2)).toHaveLength(2);
    const winner = runs[outcomes.indexOf('listening')] as Run;
    for (const r of runs.filter((x) => x !== winner)) {
      expect(r.output()).toContain(`pid ${winner.proc.pid}`);
    }
    await stopChild(winner.proc, 'SIGTERM', 10_000);
    expect(existsSync(join(dir, 'collector.lock'))).toBe(false);
  });
});

const CONTENDERS = 6;
const ROUNDS = 25;
const ROUND_SPACING_MS = 100;

/**
 * Runs CONTENDERS lock-contender processes over ROUNDS dirs under `base`; each round, all try
 * the same dir in the same instant. Returns, per round, every contender's outcome.
 */
async function contend(base: string): Promise<{ pid: number; outcome: string }[][]> {
  const goAt = Date.now() + 5_000;
  const script = join(ROOT, 'test/integration/lock-contender.ts');
  const args = [script, base, String(goAt), String(ROUNDS), String(ROUND_SPACING_MS)];
  const runs = Array.from({ length: CONTENDERS }, () => {
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT });
    procs.push(p);
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    return { p, out: () => out };
  });
  await until('every contender to finish its rounds', () => runs.every((r) => r.out().includes('done\n')), 45_000);
  const perRound = Array.from({ length: ROUNDS }, (_, round) =>
    runs.map((r) => {
      const line =
        r
          .out()
          .split('\n')
          .find((l) => l.startsWith(`${round} `)) ?? `${round} missing`;
      return { pid: r.p.pid as number, outcome: line.slice(String(round).length + 1) };
    }),
  );
  // Let the holders go: each releases its locks and exits.
  await Promise.all(
    runs.map(async (r) => {
      if (r.p.exitCode !== null) return;
      const exited = new Promise((done) => r.p.once('exit', done));
      r.p.stdin.end();
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
    }),
  );
  return perRound;
}

describe('the data-dir lock under contention', () => {
  it(`${CONTENDERS} processes trying at the same instant over a stale lock, ${ROUNDS} rounds: exactly one holds it each time`, async () => {
    const base = tempDir();
    for (let r = 0; r < ROUNDS; r++) {
      mkdirSync(join(base, String(r)));
      writeFileSync(join(base, String(r), 'collector.lock'), `${JSON.stringify({ pid: deadPid() })}\n`);
    }
    const rounds = await contend(base);
    rounds.forEach((outcomes, r) => {
      const holders = outcomes.filter((o) => o.outcome === 'held');
      expect(holders, `round ${r}: ${JSON.stringify(outcomes)}`).toHaveLength(1);
      const holder = holders[0] as { pid: number };
      for (const o of outcomes.filter((x) => x !== holder)) expect(o.outcome, `round ${r}`).toBe(`busy ${holder.pid}`);
      expect(existsSync(join(base, String(r), 'collector.lock')), `round ${r}`).toBe(false);
      expect(existsSync(join(base, String(r), 'collector.lock.break')), `round ${r}`).toBe(false);
    });
  }, 90_000);
});

describe('--exit-with-parent', () => {
  it('shuts down cleanly when stdin closes; without the flag a closed stdin changes nothing', async () => {
    const follower = spawnCli(['--port', '0', '--data-dir', tempDir(), '--exit-with-parent'], 'pipe');
    const plain = spawnCli(['--port', '0', '--data-dir', tempDir()], 'pipe');
    expect(await follower.outcome).toBe('listening');
    expect(await plain.outcome).toBe('listening');
    follower.proc.stdin?.end();
    plain.proc.stdin?.end();
    const pid = follower.proc.pid as number;
    await until('the follower to exit', () => !isRunning(pid), 15_000);
    expect(follower.proc.exitCode ?? (await new Promise((r) => follower.proc.once('exit', r)))).toBe(0);
    expect(follower.output()).toMatch(/stdin closed .*: shutting down/);
    expect(isRunning(plain.proc.pid as number)).toBe(true);
  });
});

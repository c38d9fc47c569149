import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTOR_NODE_FLAGS } from '../../shared/collector-node-flags.js';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { stopChild } from '../fixtures/child-process.js';
import { isRunning, ROOT, until } from './process-tree.js';

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
  await held?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code, or 'listening'. */
  outcome: Promise<number | 'listening'>;
}

function launch(dataDir: string, extra: string[] = [], stdin: 'ignore' | 'pipe' = 'ignore'): Run {
  const args = [...COLLECTOR_NODE_FLAGS, '--import', 'tsx', 'electron/collector/cli.ts'];
  const proc = spawn(process.execPath, [...args, '--port', '0', '--data-dir', dataDir, ...extra], {
    cwd: ROOT,
    stdio: [stdin, 'pipe', 'pipe'],
  });
  procs.push(proc);
  let out = '';
  const outcome = new Promise<number | 'listening'>((done) => {
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (/listening on http/.test(out)) done('listening');
    });
    proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => done(code ?? -1));
  });
  return { proc, output: () => out, outcome };
}

/** A pid no process has right now. */
function deadPid(): number {
  for (let pid = 4_000_000; pid > 100_000; pid -= 997) if (!existsSync(`/proc/${pid}`)) return pid;
  throw new Error('no free pid');
}

describe('the data-dir lock', () => {
  it('a second collector on the same data dir exits 2, naming the dir and the pid holding it', async () => {
    held = await startCollector();
    const second = launch(held.dataDir);
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
    const runs = [launch(dir), launch(dir), launch(dir)];
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

/** Runs `n` lock-contender processes that all try at the same instant; their outputs. */
async function contend(dir: string, n: number): Promise<{ pid: number; out: string }[]> {
  const goAt = Date.now() + 3_000;
  const script = join(ROOT, 'test/integration/lock-contender.ts');
  const runs = Array.from({ length: n }, () => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, dir, String(goAt)], { cwd: ROOT });
    procs.push(p);
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    return new Promise<{ pid: number; out: string }>((done) =>
      p.once('exit', () => done({ pid: p.pid as number, out })),
    );
  });
  return Promise.all(runs);
}

describe('the data-dir lock under contention', () => {
  it('6 processes trying at the same instant over a stale lock, 4 rounds: exactly one holds it each time', async () => {
    for (let round = 0; round < 4; round++) {
      const dir = tempDir();
      writeFileSync(join(dir, 'collector.lock'), `${JSON.stringify({ pid: deadPid() })}\n`);
      const results = await contend(dir, 6);
      const holders = results.filter((r) => r.out.trim() === 'held');
      expect(holders, JSON.stringify(results)).toHaveLength(1);
      const holder = holders[0] as { pid: number };
      for (const r of results.filter((x) => x !== holder)) expect(r.out.trim()).toBe(`busy ${holder.pid}`);
      expect(existsSync(join(dir, 'collector.lock'))).toBe(false);
      expect(existsSync(join(dir, 'collector.lock.break'))).toBe(false);
    }
  }, 90_000);
});

describe('--exit-with-parent', () => {
  it('shuts down cleanly when stdin closes; without the flag a closed stdin changes nothing', async () => {
    const follower = launch(tempDir(), ['--exit-with-parent'], 'pipe');
    const plain = launch(tempDir(), [], 'pipe');
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

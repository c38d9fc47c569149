import { spawn, type ChildProcess } from 'node:child_process';
import { COLLECTOR_NODE_FLAGS } from '../../shared/collector-node-flags.js';
import { stopChild } from '../fixtures/child-process.js';
import { ROOT } from './process-tree.js';

/** The collector CLI as a bare process (for exits the fixture treats as failures). */
export interface CliRun {
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code, or 'listening'. */
  outcome: Promise<number | 'listening'>;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();

export function spawnCli(args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): CliRun {
  const node = [...COLLECTOR_NODE_FLAGS, '--import', 'tsx', 'electron/collector/cli.ts'];
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.VIGIL_TOKEN;
  const proc = spawn(process.execPath, [...node, ...args], { cwd: ROOT, env, stdio: [stdin, 'pipe', 'pipe'] });
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  let out = '';
  const outcome = new Promise<number | 'listening'>((done) => {
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      if (/listening on http/.test(out)) done('listening');
    });
    proc.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code) => done(code ?? -1));
  });
  return { proc, output: () => out, outcome, stop: () => stopChild(proc, 'SIGTERM', 10_000) };
}

/** SIGKILLs every CLI process still running (for afterAll). */
export async function killAllCli(): Promise<void> {
  await Promise.all([...running].map((p) => stopChild(p, 'SIGKILL', 5_000)));
}

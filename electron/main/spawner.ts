import { spawn } from 'node:child_process';

/**
 * How the supervisor starts a Node entry script. Two implementations: Electron's
 * `utilityProcess` (utility-spawner.ts: the app, so the RunAsNode fuse can stay off) and plain
 * `child_process` (here: tests and the headless host).
 */
export interface SpawnSpec {
  /** For logs and the OS process name. */
  name: string;
  /** The entry script (a built .js file, or a .ts run through `--import tsx`). */
  modulePath: string;
  args: readonly string[];
  /** Node flags (`--max-semi-space-size=16`, `--import tsx`). */
  execArgv?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** A started child, whatever started it. */
export interface SpawnedChild {
  readonly pid: number | undefined;
  /** Each line the child writes to stdout or stderr. */
  onLine(listener: (line: string) => void): void;
  /** Once, when the child is gone (code null: killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  /** SIGTERM (or SIGKILL when `force`); false when it was already gone. */
  kill(force?: boolean): boolean;
  /**
   * One command line to the child (the simulator's `on NAME` / `off NAME`): its stdin under
   * child_process, a `process.parentPort` message under utilityProcess (no stdin there).
   */
  send(line: string): void;
}

export interface Spawner {
  spawn(spec: SpawnSpec): SpawnedChild;
}

/** Splits a byte stream into lines (a chunk may end mid-line). */
export function lineSplitter(emit: (line: string) => void): (chunk: Buffer | string) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString();
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const l of lines) if (l.trim()) emit(l.replace(/\r$/, ''));
    // A child that writes a huge line without a newline must not grow this without bound.
    if (rest.length > MAX_PARTIAL_LINE) rest = rest.slice(-MAX_PARTIAL_LINE);
  };
}
const MAX_PARTIAL_LINE = 64 * 1024;

/**
 * child_process.spawn of `node [execArgv] modulePath args`. stdin is a pipe we never write or
 * close: a collector run with `--exit-with-parent` follows us, and ends when we die.
 */
export function nodeSpawner(node: string = process.execPath): Spawner {
  return {
    spawn(spec) {
      const child = spawn(node, [...(spec.execArgv ?? []), spec.modulePath, ...spec.args], {
        cwd: spec.cwd,
        env: spec.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const lineListeners: ((line: string) => void)[] = [];
      const split = lineSplitter((l) => {
        for (const f of lineListeners) f(l);
      });
      child.stdout?.on('data', split);
      child.stderr?.on('data', split);
      child.stdin?.on('error', () => {});
      let exited = false;
      const exitListeners: ((code: number | null) => void)[] = [];
      const done = (code: number | null): void => {
        if (exited) return;
        exited = true;
        for (const f of exitListeners) f(code);
      };
      child.on('exit', (code) => done(code));
      // A spawn failure (ENOENT) emits 'error' without 'exit'.
      child.on('error', () => done(null));
      return {
        get pid() {
          return child.pid;
        },
        onLine: (l) => void lineListeners.push(l),
        onExit: (l) => void exitListeners.push(l),
        kill: (force) => (exited ? false : child.kill(force ? 'SIGKILL' : 'SIGTERM')),
        send: (line) => {
          if (!exited) child.stdin?.write(`${line}\n`);
        },
      };
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stopChild } from '../fixtures/child-process.js';

/** Linux /proc helpers and a demo-mode headless host, for the process-hygiene tests (issue 11). */

export const ROOT = resolve(import.meta.dirname, '../..');

/** The one-letter state of a process (R, S, Z…), undefined when it is gone. */
export function procState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Running: present and not a zombie (an orphan's zombie waits for a reaper that may never come). */
export function isRunning(pid: number): boolean {
  const s = procState(pid);
  return s !== undefined && s !== 'Z';
}

/** Every process whose parent is `pid`. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A process's argv as `ps` shows it to every local user. */
export function cmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

export async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface DemoHost {
  readonly proc: ChildProcess;
  readonly pid: number;
  /** The headless bridge token (from the printed URL). */
  readonly bridgeToken: string;
  /** The bundled collector's URL, from the host's log. */
  readonly collectorUrl: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

const LINE = /Vigil is running at http:\/\/127\.0\.0\.1:\d+\/#token=([A-Za-z0-9_-]+)/;
const COLLECTOR_LINE = /collector: vigil collector listening on (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 45_000;

/**
 * `npm run web`'s host (headless-cli in its default demo mode) with its app data under
 * `xdgDataHome`; `umask0` runs it with umask 000, so only explicit modes keep files private.
 */
export async function startDemoHost(opts: {
  xdgDataHome: string;
  backfill: string;
  umask0?: boolean;
}): Promise<DemoHost> {
  const node = [process.execPath, '--import', 'tsx', join(ROOT, 'electron/main/headless-cli.ts')];
  node.push('--port', '0', '--demo-backfill', opts.backfill);
  const [cmd, ...args] = opts.umask0 ? ['/bin/sh', '-c', 'umask 000 && exec "$@"', 'sh', ...node] : node;
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_DATA_HOME: opts.xdgDataHome };
  // No desktop session: pages must not reach a real notification daemon from a test.
  delete env.DBUS_SESSION_BUS_ADDRESS;
  delete env.DISPLAY;
  const proc = spawn(cmd as string, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stdout?.on('data', (c: string) => (log += c));
  proc.stderr?.on('data', (c: string) => (log += c));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const found = await Promise.race([
    until('the demo host to print its URL', () => LINE.exec(log) ?? undefined, START_TIMEOUT_MS),
    exited.then(() => {
      throw new Error(`demo host exited before starting:\n${log}`);
    }),
  ]).catch(async (err: unknown) => {
    proc.kill('SIGKILL');
    throw err;
  });
  const collectorUrl = COLLECTOR_LINE.exec(log)?.[1];
  if (!collectorUrl) throw new Error(`no collector URL in the host's log:\n${log}`);
  return {
    proc,
    pid: proc.pid as number,
    bridgeToken: found[1] as string,
    collectorUrl,
    output: () => log,
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopChild(proc, signal, 15_000),
  };
}

/** The host's collector and simulator, by their entry scripts. */
export function demoChildren(hostPid: number): { collector?: number; simulator?: number } {
  const out: { collector?: number; simulator?: number } = {};
  for (const pid of childrenOf(hostPid)) {
    let line: string;
    try {
      line = cmdline(pid);
    } catch {
      continue;
    }
    if (line.includes('electron/collector/cli.ts')) out.collector = pid;
    else if (line.includes('electron/collector/simulator/cli.ts')) out.simulator = pid;
  }
  return out;
}

/** `GET /v1/stats` of a collector. */
export async function stats(url: string, token: string): Promise<{ events: number; lastEventTs?: number | null }> {
  const res = await fetch(`${url}/v1/stats`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`GET /v1/stats answered ${res.status}`);
  return (await res.json()) as { events: number; lastEventTs?: number | null };
}

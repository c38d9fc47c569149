import { spawn, type ChildProcess } from 'node:child_process';
import { EvalJobOutput } from '../../../shared/protocol/evals.js';
import { describeZodError } from '../../../shared/protocol/errors.js';

export type JobOutcome = 'ok' | 'failed' | 'timeout' | 'invalid_output';

export type JobResult =
  { outcome: 'ok'; output: EvalJobOutput } | { outcome: Exclude<JobOutcome, 'ok'>; reason: string };

export interface JobSpec {
  /** argv (no shell) or a string run by the platform shell. */
  command: string | readonly string[];
  timeoutMs: number;
  cwd?: string;
  env?: Record<string, string>;
}

/** Only the tail of stdout matters (the last JSON line); this much is kept. */
const STDOUT_TAIL_BYTES = 64 * 1024;
const STDERR_TAIL_BYTES = 4 * 1024;
/** After SIGTERM on timeout, the job gets this long before SIGKILL. */
const KILL_GRACE_MS = 2_000;

function tail(s: string, max: number): string {
  return s.length > max ? s.slice(s.length - max) : s;
}

/** The last stdout line that parses as JSON, validated as `{accuracy, total?, passed?}`. */
export function parseJobOutput(stdout: string): { ok: true; output: EvalJobOutput } | { ok: false; reason: string } {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (let i = lines.length - 1; i >= 0; i--) {
    let value: unknown;
    try {
      value = JSON.parse(lines[i] ?? '');
    } catch {
      continue;
    }
    const r = EvalJobOutput.safeParse(value);
    if (r.success) return { ok: true, output: r.data };
    const d = describeZodError(r.error);
    return { ok: false, reason: `last JSON line is not a result: ${d.field}: ${d.message}` };
  }
  return { ok: false, reason: 'no JSON result line on stdout (expected {"accuracy": 0..1, "total": n, "passed": n})' };
}

/**
 * One run of an eval job as a child process in its own process group, so a timeout or
 * dispose kills the whole tree (a shell and what it started). `onSpawn` hands the caller the
 * child so it can kill it on dispose.
 */
export function runJob(spec: JobSpec, onSpawn?: (child: ChildProcess) => void): Promise<JobResult> {
  return new Promise((resolve) => {
    const isShell = typeof spec.command === 'string';
    const [file, ...args] = isShell ? [spec.command as string] : (spec.command as readonly string[]);
    let child: ChildProcess;
    try {
      child = spawn(file ?? '', args, {
        shell: isShell,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
        env: { ...process.env, ...spec.env },
      });
    } catch (err) {
      resolve({ outcome: 'failed', reason: `could not start: ${(err as Error).message}` });
      return;
    }
    onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError: Error | undefined;
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (stdout = tail(stdout + c, STDOUT_TAIL_BYTES)));
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr = tail(stderr + c, STDERR_TAIL_BYTES)));
    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child, 'SIGTERM');
      killTimer = setTimeout(() => killGroup(child, 'SIGKILL'), KILL_GRACE_MS);
    }, spec.timeoutMs);
    child.once('error', (err) => (spawnError = err));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      const lastErr = stderr.trim().split('\n').pop()?.slice(0, 300);
      if (spawnError) return resolve({ outcome: 'failed', reason: `could not start: ${spawnError.message}` });
      if (timedOut) return resolve({ outcome: 'timeout', reason: `timed out after ${formatMs(spec.timeoutMs)}` });
      if (code !== 0) {
        const how = code !== null ? `exit code ${code}` : `killed by ${signal ?? 'a signal'}`;
        return resolve({ outcome: 'failed', reason: lastErr ? `${how}: ${lastErr}` : how });
      }
      const parsed = parseJobOutput(stdout);
      resolve(
        parsed.ok ? { outcome: 'ok', output: parsed.output } : { outcome: 'invalid_output', reason: parsed.reason },
      );
    });
  });
}

function formatMs(ms: number): string {
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** Kills the child's process group (it was spawned detached, so it leads one). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  // The group, even when its leader already exited: a grandchild may still hold stdout open.
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The whole group is gone already.
  }
}

import type { Clock } from '../../shared/clock.js';
import { backoffDelay, type BackoffOptions } from './services/backoff.js';
import { Listeners, silentLogger, systemTimers, type Logger, type Timers } from './services/runtime.js';
import type { SpawnedChild, Spawner, SpawnSpec } from './spawner.js';

/**
 * Restart pacing for a crashed collector: 1 s, 2 s, 4 s … capped at a minute, with a little
 * jitter. A crash loop (bad data dir, port taken) must not spin the CPU, and a single crash must
 * come back fast: pages keep escalating on the collector's clock.
 */
export const SUPERVISOR_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 60_000, factor: 2, jitter: 0.2 };
/** A child that ran this long was healthy: its crash starts the backoff over. */
export const SUPERVISOR_STABLE_AFTER_MS = 60_000;
/** stop(): SIGTERM, then SIGKILL when the child has not exited after this. */
export const SUPERVISOR_STOP_GRACE_MS = 5_000;

export type SupervisorState = 'idle' | 'running' | 'waiting' | 'stopping' | 'stopped';

export interface SupervisorOptions {
  spawner: Spawner;
  /** The spec of each start; `start` counts from 0 (so a restart can pin the port the first run got). */
  spec: (start: number) => SpawnSpec;
  clock: Clock;
  backoff?: BackoffOptions;
  stableAfterMs?: number;
  stopGraceMs?: number;
  timers?: Timers;
  random?: () => number;
  log?: Logger;
}

export interface SupervisorExit {
  code: number | null;
  /** When the next start happens (ms from now); absent when stopped on purpose. */
  restartInMs?: number;
}

/**
 * Keeps one child running: starts it, restarts it with backoff when it exits unexpectedly, and
 * stops it on purpose (SIGTERM, then SIGKILL after a grace period), after which it never
 * restarts. How the child is started is the Spawner's business.
 */
export class Supervisor {
  private child: SpawnedChild | null = null;
  private st: SupervisorState = 'idle';
  private starts = 0;
  /** Consecutive crashes since the last stable run (the backoff exponent). */
  private crashes = 0;
  private startedAt = 0;
  private restartTimer: unknown = null;
  private stopping: Promise<void> | null = null;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly started = new Listeners<{ child: SpawnedChild; start: number }>();
  private readonly lines = new Listeners<string>();
  private readonly exited = new Listeners<SupervisorExit>();

  constructor(private readonly opts: SupervisorOptions) {
    this.timers = opts.timers ?? systemTimers;
    this.log = opts.log ?? silentLogger;
  }

  state(): SupervisorState {
    return this.st;
  }

  /** How many times the child was started (the first start included). */
  startCount(): number {
    return this.starts;
  }

  pid(): number | undefined {
    return this.child?.pid;
  }

  onStarted(l: (e: { child: SpawnedChild; start: number }) => void): () => void {
    return this.started.on(l);
  }
  onLine(l: (line: string) => void): () => void {
    return this.lines.on(l);
  }
  onExit(l: (e: SupervisorExit) => void): () => void {
    return this.exited.on(l);
  }

  /** A command line to the running child; dropped while none runs (a restart starts from its args). */
  send(line: string): void {
    this.child?.send(line);
  }

  start(): void {
    if (this.st !== 'idle') return;
    this.spawnNow();
  }

  private spawnNow(): void {
    this.restartTimer = null;
    if (this.st === 'stopping' || this.st === 'stopped') return;
    const spec = this.opts.spec(this.starts);
    const n = this.starts++;
    const child = this.opts.spawner.spawn(spec);
    this.child = child;
    this.st = 'running';
    this.startedAt = this.opts.clock.now();
    child.onLine((l) => this.lines.emit(l, this.log));
    child.onExit((code) => this.handleExit(child, spec.name, code));
    this.log.info(`${spec.name}: started (pid ${child.pid ?? '?'}, start ${n + 1})`);
    this.started.emit({ child, start: n }, this.log);
  }

  private handleExit(child: SpawnedChild, name: string, code: number | null): void {
    if (this.child !== child) return;
    this.child = null;
    if (this.st === 'stopping' || this.st === 'stopped') {
      this.exited.emit({ code }, this.log);
      return;
    }
    const ranMs = this.opts.clock.now() - this.startedAt;
    if (ranMs >= (this.opts.stableAfterMs ?? SUPERVISOR_STABLE_AFTER_MS)) this.crashes = 0;
    const delay = backoffDelay(this.crashes, this.opts.backoff ?? SUPERVISOR_BACKOFF, this.opts.random);
    this.crashes++;
    this.st = 'waiting';
    this.log.warn(`${name}: exited unexpectedly (${code ?? 'signal'}); restarting in ${delay} ms`);
    this.restartTimer = this.timers.setTimeout(() => this.spawnNow(), delay);
    this.exited.emit({ code, restartInMs: delay }, this.log);
  }

  /** Stops the child for good (no restart afterwards). Safe to call twice; resolves once it is gone. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.restartTimer !== null) this.timers.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (!child) {
      this.st = 'stopped';
      this.stopping = Promise.resolve();
      return this.stopping;
    }
    this.st = 'stopping';
    this.stopping = new Promise<void>((done) => {
      const grace = this.opts.stopGraceMs ?? SUPERVISOR_STOP_GRACE_MS;
      const killTimer = this.timers.setTimeout(() => child.kill(true), grace);
      child.onExit(() => {
        this.timers.clearTimeout(killTimer);
        this.st = 'stopped';
        done();
      });
      if (!child.kill(false)) {
        // Already gone (its exit event may be on its way): nothing left to wait for.
        this.timers.clearTimeout(killTimer);
        this.st = 'stopped';
        done();
      }
    });
    return this.stopping;
  }
}

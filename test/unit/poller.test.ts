import { describe, expect, it } from 'vitest';
import { Poller, type ConnectionSignal } from '../../electron/main/services/poller.js';
import type { Timers } from '../../electron/main/services/runtime.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

function setup() {
  const runs: { resolve: () => void }[] = [];
  const warnings: string[] = [];
  let failNext = false;
  const connection: ConnectionSignal & { fire(): void } = {
    listeners: [] as (() => void)[],
    isReady: () => true,
    onReady(l: () => void) {
      this.listeners.push(l);
      return () => undefined;
    },
    fire() {
      for (const l of this.listeners) l();
    },
  } as ConnectionSignal & { fire(): void; listeners: (() => void)[] };
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: Timers = {
    setTimeout: (fn, ms) => pending.push({ fn, ms }),
    clearTimeout: () => undefined,
  };
  const poller = new Poller({
    name: 'test poll',
    connection,
    intervalMs: 60_000,
    timers,
    log: { warn: (m) => warnings.push(m) },
    run: () => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('collector said 503'));
      }
      const d = deferred();
      runs.push(d);
      return d.promise;
    },
  });
  return { poller, runs, warnings, connection, pending, failOnce: () => (failNext = true) };
}

const turn = () => new Promise((r) => setImmediate(r));

describe('Poller', () => {
  it('runs on start and on each connect, never two at once, and once more when asked during a run', async () => {
    const { poller, runs, connection } = setup();
    poller.start();
    expect(runs).toHaveLength(1);
    connection.fire();
    void poller.runNow();
    expect(runs).toHaveLength(1);
    runs[0]!.resolve();
    await turn();
    // The two requests made during the first run collapse into one more.
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await turn();
    expect(runs).toHaveLength(2);
  });

  it('idle() waits for the run in flight and the one queued behind it', async () => {
    const { poller, runs } = setup();
    poller.start();
    void poller.runNow();
    let idle = false;
    void poller.idle().then(() => (idle = true));
    runs[0]!.resolve();
    await turn();
    expect(idle).toBe(false);
    expect(runs).toHaveLength(2);
    runs[1]!.resolve();
    await turn();
    expect(idle).toBe(true);
    await expect(poller.idle()).resolves.toBeUndefined();
  });

  it('logs a failed run and stays usable', async () => {
    const { poller, runs, warnings, failOnce } = setup();
    failOnce();
    await poller.runNow();
    expect(warnings).toEqual(['test poll: collector said 503']);
    void poller.runNow();
    expect(runs).toHaveLength(1);
  });

  it('re-arms its timer while connected and stops re-arming after dispose', async () => {
    const { poller, runs, pending } = setup();
    poller.start();
    runs[0]!.resolve();
    await turn();
    expect(pending.map((p) => p.ms)).toEqual([60_000]);
    pending.shift()!.fn();
    expect(runs).toHaveLength(2);
    expect(pending).toHaveLength(1);
    poller.dispose();
    // A timer that fires after dispose (a fake clock does not cancel it) does nothing.
    pending.shift()!.fn();
    expect(runs).toHaveLength(2);
    expect(pending).toHaveLength(0);
    expect(poller.disposed).toBe(true);
  });
});

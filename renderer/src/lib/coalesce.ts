/** The two timer functions the coalescer needs; injected so tests drive time by hand. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const browserTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

export interface Coalescer {
  /** Asks for a run; any number of triggers inside one window collapse into one run. */
  trigger(): void;
  dispose(): void;
}

/**
 * Collapses bursts of "something changed" into one refetch: the first trigger schedules a run
 * `delayMs` later; triggers while one is scheduled are absorbed; a trigger during a run schedules
 * exactly one more run after it, so the last change is never missed and runs never overlap.
 * A flood of `alerts-changed` pushes (a collector replaying its log) costs a handful of fetches.
 */
export function createCoalescer(run: () => Promise<void>, delayMs: number, timers: Timers = browserTimers): Coalescer {
  let handle: unknown = null;
  let running = false;
  let again = false;
  let disposed = false;

  const fire = async (): Promise<void> => {
    handle = null;
    running = true;
    try {
      await run();
    } catch {
      // The run reports its own errors (into a store); a failed refetch must not stop later ones.
    } finally {
      running = false;
      if (again && !disposed) {
        again = false;
        schedule();
      }
    }
  };

  const schedule = (): void => {
    handle = timers.setTimeout(() => void fire(), delayMs);
  };

  return {
    trigger() {
      if (disposed) return;
      if (running) again = true;
      else if (handle === null) schedule();
    },
    dispose() {
      disposed = true;
      if (handle !== null) timers.clearTimeout(handle);
      handle = null;
    },
  };
}

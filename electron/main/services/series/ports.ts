/**
 * The few runtime seams the chart sync needs. Declared here (structurally the same as
 * ../runtime.ts, which the layer lint keeps subfolders from importing) so tests can drive time.
 */
export interface SeriesTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const unrefTimers: SeriesTimers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A poll timer must never keep a process alive on its own.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface SeriesLog {
  warn(message: string): void;
}

export const quietLog: SeriesLog = { warn: () => {} };

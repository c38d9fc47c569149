/**
 * The runtime seams of the alarm and notifier, structurally the same as ../runtime.ts (which the
 * layer lint keeps subfolders from importing), so tests can drive time and capture logs.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const quietLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

export const unrefTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // The alarm's repeat timer must never keep a process alive on its own.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A typed listener set; one failing listener is logged and does not stop the others. */
export class Emitter<T> {
  private readonly set = new Set<(value: T) => void>();
  on(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T, log: Logger): void {
    for (const l of [...this.set]) {
      try {
        l(value);
      } catch (err) {
        log.error(`listener failed: ${String(err)}`);
      }
    }
  }
  clear(): void {
    this.set.clear();
  }
}

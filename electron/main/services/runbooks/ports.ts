/**
 * What the runbook services need from their host, structurally: the services' Logger, Timers
 * and Outbox satisfy these. Declared here because the layer lint forbids `../*.js` imports
 * from services subfolders (it guards electron/main/*.ts).
 */
export interface Log {
  warn(message: string): void;
  error(message: string): void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const quietLog: Log = { warn: () => {}, error: () => {} };

export const unrefTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A poll timer must never keep a process alive on its own.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A typed listener set; one faulty listener does not stop the others. */
export class Emitter<T> {
  private readonly set = new Set<(value: T) => void>();
  on(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T, log: Log): void {
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

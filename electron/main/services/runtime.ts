/** Timers and logging are injected so tests can drive time and capture output. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Reconnect and watchdog timers must never keep a process alive on their own.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Logs go to stderr: stdout of the headless CLI carries exactly one line for its caller. */
export const stderrLogger: Logger = {
  info: (m) => process.stderr.write(`[vigil] ${m}\n`),
  warn: (m) => process.stderr.write(`[vigil] warn: ${m}\n`),
  error: (m) => process.stderr.write(`[vigil] error: ${m}\n`),
};

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** A minimal typed listener set; each `on` returns its own unsubscribe function. */
export class Listeners<T> {
  private readonly set = new Set<(value: T) => void>();
  on(listener: (value: T) => void): () => void {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(value: T, log?: Logger): void {
    for (const l of [...this.set]) {
      try {
        l(value);
      } catch (err) {
        // One faulty listener must not break the sync loop or the others.
        log?.error(`listener failed: ${String(err)}`);
      }
    }
  }
  clear(): void {
    this.set.clear();
  }
}

/**
 * Bytes that requests not yet authenticated may buffer, all together (issue 11: 200 unfinished
 * unauthenticated Events-v2 requests held +85 MB). A request reserves its largest possible body
 * before reading any of it and gives the reservation back when it is answered, so the sum of
 * what such requests buffer never exceeds `capacity`, however many arrive at once.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly capacity: number) {}

  /** Reserves `bytes`; undefined when they do not fit. The returned release is idempotent. */
  reserve(bytes: number): (() => void) | undefined {
    if (bytes > this.capacity - this.used) return undefined;
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
    };
  }

  /** Bytes reserved now (tests, diagnostics). */
  get reserved(): number {
    return this.used;
  }
}

/** Reconnect pacing: exponential growth, capped, with jitter so many desktops don't reconnect in lockstep. */
export interface BackoffOptions {
  /** First delay. */
  baseMs: number;
  /** Never wait longer than this. */
  capMs: number;
  factor: number;
  /** 0 = no jitter; 0.5 = the delay is drawn from [50 %, 100 %] of the exponential value. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000, factor: 2, jitter: 0.5 };

/**
 * Delay before reconnect attempt number `attempt` (0 for the first retry).
 * `random` is injected so tests can pin the jitter; it must return a value in [0, 1).
 */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const n = Math.max(0, Math.floor(attempt));
  // Clamp the exponent before Math.pow so a long outage can't overflow to Infinity.
  const exp = Math.min(opts.capMs, opts.baseMs * Math.pow(opts.factor, Math.min(n, 60)));
  const jitter = Math.min(1, Math.max(0, opts.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(exp * (1 - jitter) + exp * jitter * r);
}

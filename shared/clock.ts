/** Time is injected everywhere logic needs it; tests pass a fake clock instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

// The one place the wall clock is read; everything else receives a Clock.
// eslint-disable-next-line no-restricted-syntax
export const systemClock: Clock = { now: () => Date.now() };

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Start of the UTC minute holding `ms`. */
export function minuteFloor(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

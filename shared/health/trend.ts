/** Week-over-week rises in a row that make the Health view warn ("pages rise three weeks running"). */
export const RISING_WEEKS_WARNING = 3;

/**
 * Whether the last `rises` week-over-week changes of `perWeek` (oldest first) are all increases:
 * three rises need four weeks (w0 < w1 < w2 < w3).
 */
export function risingRun(perWeek: readonly number[], rises = RISING_WEEKS_WARNING): boolean {
  if (perWeek.length < rises + 1) return false;
  const tail = perWeek.slice(-(rises + 1));
  return tail.every((v, i) => i === 0 || v > (tail[i - 1] ?? Infinity));
}

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

/**
 * The weeks that had closed by the end of the answer's range: the week clipped at the range end
 * (`to`, now in the Health view) is the current one, its pages still coming, so a trend judged
 * on it would warn (or stay quiet) on a partial count.
 */
export function completedWeeks<W extends { to: string }>(weeks: readonly W[], rangeTo: string): W[] {
  const end = Date.parse(rangeTo);
  return weeks.filter((w) => Date.parse(w.to) < end);
}

/** The rising-pages warning, on completed weeks only (the current partial week never counts). */
export function risingPages(weeks: readonly { to: string; pages: number }[], rangeTo: string): number[] | null {
  const pages = completedWeeks(weeks, rangeTo).map((w) => w.pages);
  return risingRun(pages) ? pages.slice(-(RISING_WEEKS_WARNING + 1)) : null;
}

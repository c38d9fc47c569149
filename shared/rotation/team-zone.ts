import { IANAZone } from 'luxon';

/**
 * The team's time zone, one rule for every feature that reckons weeks or days (Health, the weekly
 * review, overdue action items): the rotation's `timeZone`, else the business hours' zone, else UTC.
 */
export function teamTimeZone(
  rotation: { timeZone: string } | null | undefined,
  businessHours: { timeZone: string } | null | undefined,
): string {
  for (const z of [rotation?.timeZone, businessHours?.timeZone]) {
    if (z !== undefined && IANAZone.isValidZone(z)) return z;
  }
  return 'UTC';
}

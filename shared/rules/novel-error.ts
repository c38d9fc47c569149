import { DAY_MS, HOUR_MS } from '../clock.js';

export const NOVEL_ERROR_RULE_ID = 'novel-error';

/**
 * Field note: "Tier 2 — ticket: a novel error string". Messages are normalised so the parts
 * that change per request (ids, numbers, quoted values) do not make every error "new"; a
 * signature (error type + normalised message) is novel when it was not seen in the last 7 days.
 * A fresh collector first learns for a day (everything would be "new" otherwise), and one stray
 * occurrence is not a ticket: it takes `minCount` occurrences within `windowMs`.
 */
export const NOVEL_ERROR_DEFAULTS = {
  lookbackMs: 7 * DAY_MS,
  learningMs: DAY_MS,
  minCount: 3,
  windowMs: HOUR_MS,
  /** Resolves after this long without an occurrence. */
  keepFiringForMs: HOUR_MS,
  forMs: 0,
} as const;

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
const QUOTED = /"[^"]*"|'[^']*'|`[^`]*`/g;
/** Hex ids: 6+ hex digits with at least one digit (so words like "deadline" survive), or 0x…. */
const HEX = /\b(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)[0-9a-f]{6,})\b/gi;
const NUMBER = /\d+(?:\.\d+)?/g;

/** "ValidationError: field 'sku' missing (req 9f86d081884c)" → "ValidationError: field <q> missing (req <id>)". */
export function normaliseErrorMessage(message: string): string {
  return message
    .replace(UUID, '<uuid>')
    .replace(QUOTED, '<q>')
    .replace(HEX, '<id>')
    .replace(NUMBER, '<n>')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

export function errorSignature(errorType: string | undefined, message: string | undefined): string {
  return `${errorType ?? 'unknown'}|${normaliseErrorMessage(message ?? '')}`;
}

/** A search box can hold anything; FTS5 syntax errors must not reach the user. */
const MAX_TERMS = 12;
const MAX_TERM_LENGTH = 64;

/**
 * Turns what a person typed into a safe FTS5 query: words only (letters, digits), each quoted
 * so operators like NEAR/OR/NOT and punctuation are literal, ANDed; the last word is a prefix
 * so results appear while typing. Returns null when nothing searchable remains.
 */
export function toFtsQuery(input: string): string | null {
  const words = (input.normalize('NFKC').match(/[\p{L}\p{N}_]+/gu) ?? [])
    .map((w) => w.slice(0, MAX_TERM_LENGTH))
    .slice(0, MAX_TERMS);
  if (words.length === 0) return null;
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

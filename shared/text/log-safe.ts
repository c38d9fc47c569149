/**
 * Client-provided text (user names, notes, frame errors) goes into the collector's log, one
 * record per line. A newline in it would start a forged record, and an escape sequence would
 * drive the operator's terminal; both are escaped here, visibly, so the log still shows what
 * was sent.
 */

/** Longest piece of client text one log line carries; the rest is counted, not printed. */
export const LOG_TEXT_MAX_CHARS = 200;

/**
 * C0 and C1 controls (newline, carriage return, ESC, DEL, ...), the Unicode line and paragraph
 * separators, and the bidirectional overrides and isolates (they reorder what a reader sees).
 */
const UNSAFE_SET = '\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
const UNSAFE = new RegExp(`[${UNSAFE_SET}]`, 'gu');
/** Text free of that set (for schemas: a user name holding any of it is never legitimate). */
export const NO_UNSAFE_CHARS = new RegExp(`^[^${UNSAFE_SET}]*$`, 'u');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** True when `text` holds a character `logSafe` would escape (a backslash alone does not count). */
export function hasUnsafeChars(text: string): boolean {
  return !NO_UNSAFE_CHARS.test(text);
}

/**
 * `text` fit for one log line: unsafe characters become `\n`, `\x1b`, `\u2028`…, a backslash
 * becomes `\\` (so an escaped form cannot be faked either), and anything past `maxChars` is cut
 * and counted.
 */
export function logSafe(text: string, maxChars = LOG_TEXT_MAX_CHARS): string {
  const cut = text.length > maxChars ? text.slice(0, maxChars) : text;
  const escaped = cut.replace(/\\/g, '\\\\').replace(UNSAFE, escapeChar);
  return cut.length < text.length ? `${escaped}…(+${text.length - cut.length} chars)` : escaped;
}

import { z } from 'zod';

/** Appended to free text cut to its bound, so a reader sees that something is missing. */
export const TRUNCATION_MARKER = '…[truncated]';

/**
 * `s` cut to at most `max` UTF-16 units including the marker; never splits a surrogate pair.
 * Used for free text (descriptions, label values), where keeping the page matters more than
 * keeping all of the text.
 */
export function truncateText(s: string, max: number): string {
  if (s.length <= max) return s;
  let end = Math.max(0, max - TRUNCATION_MARKER.length);
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1; // a high surrogate without its pair
  return s.slice(0, end) + TRUNCATION_MARKER;
}

/** A string that is cut (with the marker) to `max` instead of being rejected. */
export function truncatedString(max: number): z.ZodPipe<z.ZodString, z.ZodTransform<string, string>> {
  return z.string().transform((s) => truncateText(s, max));
}

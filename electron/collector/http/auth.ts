import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Bearer token from the Authorization header, or `?token=` for clients that cannot set headers (browsers' WebSocket). */
export function presentedToken(req: IncomingMessage, url: URL, allowQuery: boolean): string | undefined {
  const h = req.headers.authorization;
  if (h) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
    return m?.[1];
  }
  return allowQuery ? (url.searchParams.get('token') ?? undefined) : undefined;
}

/** Constant-time comparison, so the token cannot be guessed byte by byte from response timing. */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}

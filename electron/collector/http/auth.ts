import { createHash, timingSafeEqual } from 'node:crypto';
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

/** Who a token belongs to: the collector's shared token, or one person's own (config `users`). */
export type Principal = { kind: 'shared' } | { kind: 'user'; name: string };

export interface UserToken {
  name: string;
  /** Hex SHA-256 of the person's token (the config never holds the token itself). */
  tokenSha256: string;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Hex SHA-256 of a token, as `users[].tokenSha256` holds it. */
export function tokenSha256(token: string): string {
  return sha256(token).toString('hex');
}

/**
 * Maps a presented token to its principal. Tokens are compared as SHA-256 digests (equal length,
 * so timingSafeEqual applies) against every known digest, without stopping at a match: the time
 * taken says nothing about which token, or how much of one, was right.
 *
 * Policy: the shared token authenticates everything a sender or the bundled single-user desktop
 * does. A user token authenticates a person's desktop: read-only HTTP (GET) and the stream,
 * where its `hello.user` must be that person. With users configured, the shared token may no
 * longer open a stream as anyone (see `helloDenied`); senders keep ingesting with it.
 */
export class Authenticator {
  private readonly shared: Buffer;
  private readonly users: readonly { name: string; digest: Buffer }[];

  constructor(sharedToken: string, users: readonly UserToken[] = []) {
    this.shared = sha256(sharedToken);
    this.users = users.map((u) => ({ name: u.name, digest: Buffer.from(u.tokenSha256, 'hex') }));
  }

  /** True when the collector gives people their own tokens. */
  hasUsers(): boolean {
    return this.users.length > 0;
  }

  identify(presented: string | undefined): Principal | undefined {
    if (presented === undefined) return undefined;
    const digest = sha256(presented);
    let found: Principal | undefined = timingSafeEqual(digest, this.shared) ? { kind: 'shared' } : undefined;
    for (const u of this.users) {
      if (timingSafeEqual(digest, u.digest) && found === undefined) found = { kind: 'user', name: u.name };
    }
    return found;
  }

  /** Whether `p` may make this HTTP request: user tokens read (GET/HEAD), only the shared token writes. */
  mayRequest(p: Principal | undefined, method: string): boolean {
    if (p === undefined) return false;
    return p.kind === 'shared' || method === 'GET' || method === 'HEAD';
  }

  /**
   * Why a stream `hello` as `user` is refused for `p`, or undefined when it is allowed. Commands
   * are recorded under the hello's user, so this is what stops one person acknowledging as another.
   */
  helloDenied(p: Principal, user: string): string | undefined {
    if (p.kind === 'user') {
      return p.name === user ? undefined : `this token belongs to another user; hello as that user`;
    }
    return this.hasUsers()
      ? 'this collector gives each person a token (config "users"): the shared token cannot open a stream'
      : undefined;
  }
}

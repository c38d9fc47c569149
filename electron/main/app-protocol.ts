import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { CustomScheme, Protocol } from 'electron';

/**
 * The app's pages come over `vigil://app/…` rather than `file://` (Electron's security checklist,
 * item 18): a `file://` page shares its origin with every file on disk, a custom standard scheme
 * has an origin of its own, and this handler serves only the built renderer folder.
 */
export const APP_SCHEME = 'vigil';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Registered before `app.ready`. `standard` gives relative URLs and an origin; `secure` makes it
 * a secure context (like https); no `bypassCSP`, no `corsEnabled`, no service workers.
 */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, stream: false, codeCache: true },
};

/** Content types for what electron-vite puts in out/renderer. Anything else is octet-stream. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** A URL longer than this is refused before parsing (no page asset has a path anywhere near it). */
export const MAX_APP_URL_LENGTH = 2048;

/**
 * The file under `root` that `url` names, or null when the URL is not ours or leaves `root`.
 * `/` is the entry page. Refused: another scheme or host, encoded separators or NUL bytes
 * (`%2f`, `%5c`, `%00`), backslashes, and any path that resolves outside root after decoding
 * (`..`, `%2e%2e`). The URL parser already folds plain `..` segments; the decoded check catches
 * what it does not.
 */
export function resolveAppPath(root: string, url: string): string | null {
  if (url.length > MAX_APP_URL_LENGTH) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  const rawPath = u.pathname;
  if (/%(2f|5c|00)/i.test(rawPath) || rawPath.includes('\\')) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const wanted = decoded === '/' || decoded === '' ? '/index.html' : decoded;
  const base = resolve(root);
  const file = resolve(base, `.${wanted}`);
  const rel = relative(base, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) return null;
  return file;
}

/** Reads a file (a test passes its own; the app reads the disk). */
export type ReadFile = (path: string) => Promise<Uint8Array>;

/**
 * The `protocol.handle` handler: 200 with the file and the CSP header, 404 for anything refused
 * or missing (no hint whether a path exists outside root). Uses the global Request/Response, so
 * it runs (and is tested) under plain Node too.
 */
export function createAppHandler(
  root: string,
  csp: string,
  read: ReadFile = (p) => readFile(p),
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    const file = resolveAppPath(root, request.url);
    if (file === null) return new Response(null, { status: 404 });
    let body: Uint8Array;
    try {
      body = await read(file);
    } catch {
      return new Response(null, { status: 404 });
    }
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: {
        'Content-Type': contentTypeOf(file),
        'Content-Security-Policy': csp,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-cache',
      },
    });
  };
}

/** Glue: call before `app.ready`. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
}

/** Glue: call after `app.ready`, on the session the window uses. */
export function serveApp(protocol: Pick<Protocol, 'handle'>, root: string, csp: string): void {
  protocol.handle(APP_SCHEME, createAppHandler(root, csp));
}

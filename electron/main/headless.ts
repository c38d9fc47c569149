import { timingSafeEqual, createHash, createHmac, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { extname, join, relative, resolve, isAbsolute } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { describeZodError, type ErrorCode } from '../../shared/protocol/errors.js';
import type { ApiPush, ApiReply, BridgeMessage } from '../../shared/protocol/api.js';
import { BridgeCallFrame } from '../../shared/api/bridge-frame.js';
import { silentLogger, type Logger } from './services/index.js';
import { parseTarget } from '../node/request-target.js';
import { PROOF_PATH, ProofQuery, type ProofResponse } from '../../shared/api/bridge-proof.js';

/** What the host needs from the Api: the same two methods Electron's IPC relays. */
export interface BridgedApi {
  /** Validates the call against the method table and answers; never rejects. */
  handle(call: unknown): Promise<ApiReply>;
  onPush(listener: (push: ApiPush) => void): () => void;
}

export interface HeadlessHostOptions {
  api: BridgedApi;
  /** The built renderer (`out/renderer`). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Defaults to 32 random bytes, base64url. */
  token?: string;
  log?: Logger;
}

export interface HeadlessHost {
  /** The page URL including `#token=`; the fragment never reaches a server or a Referer. */
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';
const MAX_BRIDGE_FRAME_BYTES = 1024 * 1024;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ws://${HOST}:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** Compares via fixed-length digests so neither the content nor the length of the token leaks through timing. */
export function tokenMatches(expected: string, given: string | null): boolean {
  if (given === null) return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/**
 * Runs the renderer in an ordinary browser: serves the built files on 127.0.0.1 and relays
 * the Api over `/bridge`. The bridge is as privileged as the Electron preload, so it only
 * accepts the page it served (exact Origin) holding this run's random token.
 */
export async function startHeadlessHost(opts: HeadlessHostOptions): Promise<HeadlessHost> {
  const log = opts.log ?? silentLogger;
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const rendererDir = resolve(opts.rendererDir);
  const server = createServer();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BRIDGE_FRAME_BYTES });
  let port = 0;
  const origin = (): string => `http://${HOST}:${port}`;
  // DNS rebinding guard: a page on evil.example resolved to 127.0.0.1 sends its own Host.
  const hostAllowed = (req: IncomingMessage): boolean =>
    req.headers.host === `${HOST}:${port}` || req.headers.host === `localhost:${port}`;

  server.on('request', (req, res) => {
    if (!hostAllowed(req)) return plain(res, 421, 'misdirected request');
    if (parseTarget(req.url)?.pathname === PROOF_PATH) return serveProof(req, res, token, origin(), log);
    serveStatic(req, res, rendererDir, port, log);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // A target node accepts but URL cannot parse (`//`) must not throw inside this listener.
    const url = parseTarget(req.url);
    if (url === undefined) return refuse(socket, 400, 'Bad Request');
    if (url.pathname !== '/bridge') return refuse(socket, 404, 'Not Found');
    if (!hostAllowed(req) || req.headers.origin !== origin()) {
      log.warn(`bridge: refused origin ${req.headers.origin ?? '(none)'}`);
      return refuse(socket, 403, 'Forbidden');
    }
    if (!tokenMatches(token, url.searchParams.get('token'))) {
      log.warn('bridge: refused a connection without the right token');
      return refuse(socket, 401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveBridge(ws, opts.api, log));
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, HOST, () => {
      server.off('error', fail);
      done();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `${origin()}/#token=${token}`,
    origin: origin(),
    port,
    token,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/**
 * Proves to a reconnecting page that this host knows its token, without the page sending it:
 * answers HMAC-SHA256(key = token, msg = nonce). The nonce is the page's, fresh each time.
 */
function serveProof(req: IncomingMessage, res: ServerResponse, token: string, origin: string, log: Logger): void {
  const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
  const fail = (status: number, code: ErrorCode, message: string, field?: string): void => {
    res.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify({ error: { code, message, ...(field ? { field } : {}) } }));
  };
  if (req.method !== 'GET') {
    res.setHeader('allow', 'GET');
    return fail(405, 'bad_request', 'use GET');
  }
  // A same-origin GET may carry no Origin; one that names another origin is a cross-site probe.
  if (req.headers.origin !== undefined && req.headers.origin !== origin) {
    log.warn(`bridge proof: refused origin ${req.headers.origin}`);
    return fail(403, 'forbidden', 'origin not allowed');
  }
  const url = parseTarget(req.url);
  const parsed = ProofQuery.safeParse(Object.fromEntries(url?.searchParams ?? []));
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error);
    return fail(400, 'invalid_field', `${field}: ${message}`, field);
  }
  const body: ProofResponse = {
    proof: createHmac('sha256', token).update(parsed.data.nonce).digest('base64url'),
  };
  res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function serveBridge(ws: WebSocket, api: BridgedApi, log: Logger): void {
  const send = (msg: BridgeMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const unsubscribe = api.onPush((push) => send({ type: 'push', push }));
  ws.on('close', unsubscribe);
  ws.on('error', (err) => log.warn(`bridge: ${err.message}`));
  ws.on('message', (data, isBinary) => {
    let raw: unknown;
    try {
      raw = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      raw = undefined;
    }
    // The frame envelope is checked here; the call inside by `api.handle`, as for an IPC call.
    const parsed = BridgeCallFrame.safeParse(raw);
    if (!parsed.success) {
      const { field, message } = describeZodError(parsed.error);
      // Echo the id when there is a usable one, so the caller can match the error to its call.
      const id = isRecord(raw) && Number.isInteger(raw.id) ? (raw.id as number) : -1;
      const msg = raw === undefined ? 'frame is not JSON text' : `${field}: ${message}`;
      send({ type: 'reply', id, ok: false, error: { code: 'bad_request', message: msg } });
      return;
    }
    const { id, call } = parsed.data;
    void api.handle(call).then((reply) =>
      send(
        reply.ok
          ? { type: 'reply', id, ok: true, result: reply.result }
          : // The failure travels as it is: code and message, never flattened into text.
            { type: 'reply', id, ok: false, error: reply.error },
      ),
    );
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(`${text}\n`);
}

function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, port: number, log: Logger): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return plain(res, 405, 'method not allowed');
  }
  let pathname: string;
  try {
    const url = parseTarget(req.url);
    if (url === undefined) return plain(res, 400, 'bad path');
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return plain(res, 400, 'bad path');
  }
  if (pathname.includes('\0')) return plain(res, 400, 'bad path');
  let file = resolve(join(root, pathname));
  const rel = relative(root, file);
  if (rel.startsWith('..') || isAbsolute(rel)) return plain(res, 403, 'forbidden');
  if (pathname.endsWith('/')) file = join(file, 'index.html');
  if (!isFile(file)) {
    // Client-side routes (no extension) get the app; missing assets get a real 404.
    if (extname(pathname) !== '') return plain(res, 404, 'not found');
    file = join(root, 'index.html');
    if (!isFile(file)) {
      log.warn(`headless: ${file} is missing; run \`npm run build\` first`);
      return plain(res, 503, 'The renderer is not built: run `npm run build` (electron-vite build) and reload.');
    }
  }
  const isHtml = extname(file) === '.html';
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-security-policy': contentSecurityPolicy(port),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    // Hashed assets may be cached; the page itself must always be fresh after a rebuild.
    'cache-control': isHtml ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

import { createServer, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ServerConfig } from '../../../shared/config/collector-config.js';
import { answerAndClose } from './answer-and-close.js';

/**
 * Node checks request/header deadlines on a timer (default every 30 s, so a 10 s headers timeout
 * could take 40 s); check a few times per shortest deadline, at most this rarely...
 */
const MAX_CHECK_INTERVAL_MS = 1_000;
/** ...and no more often than this. */
const MIN_CHECK_INTERVAL_MS = 50;
const CHECKS_PER_DEADLINE = 4;

/**
 * The collector's HTTP server with every limit of `server:` applied (issue 11): a client that
 * never finishes its headers or its request, or idles on a keep-alive connection, is cut off;
 * connections over `maxConnections` are closed as they arrive, existing ones unaffected.
 */
export function createCollectorServer(cfg: ServerConfig, listener: RequestListener): Server {
  const shortest = Math.min(cfg.headersTimeout, cfg.requestTimeout);
  const server = createServer(
    {
      requestTimeout: cfg.requestTimeout,
      headersTimeout: cfg.headersTimeout,
      keepAliveTimeout: cfg.keepAliveTimeout,
      connectionsCheckingInterval: Math.min(
        MAX_CHECK_INTERVAL_MS,
        Math.max(MIN_CHECK_INTERVAL_MS, Math.floor(shortest / CHECKS_PER_DEADLINE)),
      ),
    },
    listener,
  );
  server.on('clientError', answerClientError);
  server.maxConnections = cfg.maxConnections;
  server.maxRequestsPerSocket = cfg.maxRequestsPerSocket;
  server.maxHeadersCount = cfg.maxHeadersCount;
  return server;
}

/** What node's parser or deadline checks reject, as a bare status line (no handler ran). */
const CLIENT_ERROR_STATUS: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: '413 Payload Too Large',
};

/** Connections node's parser or deadline checks cut off (answered here, not by a route). */
const cutOff = new WeakSet<Duplex>();

/**
 * Whether the server itself ended this connection (e.g. the 408 of `requestTimeout`): a route
 * still reading its body then sees the connection close and must neither answer nor count the
 * request as its own error.
 */
export function answeredByServer(socket: Duplex): boolean {
  return cutOff.has(socket);
}

/**
 * A malformed request, or one past its headers/request deadline, is answered and the connection
 * closed. When the handler already started its answer there is nothing valid left to send.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
  // A reset client is gone: no one to answer.
  if (err.code === 'ECONNRESET' || !socket.writable || started === true) {
    socket.destroy();
    return;
  }
  cutOff.add(socket);
  const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request';
  answerAndClose(socket, `HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
}

import type { Duplex } from 'node:stream';

/**
 * How long a refused client gets to take its answer before the connection is destroyed. A
 * connection answered outside node's request handling (a parser error, an upgrade refusal) has
 * no request/headers timeout left to end it, and `end()` alone waits for the peer's FIN forever.
 */
export const ANSWER_GRACE_MS = 1_000;

/**
 * Writes `response` (a whole raw HTTP answer), then closes the connection: as soon as the answer
 * is handed to the OS, or after `graceMs` if a client that does not read keeps it from leaving.
 * Socket errors (a client that reset meanwhile) only end it sooner; without a listener they
 * would be thrown (node removes its own from an upgraded socket).
 */
export function answerAndClose(socket: Duplex, response: string, graceMs = ANSWER_GRACE_MS): void {
  const timer = setTimeout(() => socket.destroy(), graceMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(response);
}

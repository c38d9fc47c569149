import { SimControlMessage } from '../../../shared/sim/index.js';

/**
 * The slice of Electron's `process.parentPort` (utility processes) the simulator listens on. Typed
 * here so the collector never imports Electron: under plain Node it is simply absent.
 */
export interface ParentPort {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off?(event: 'message', listener: (message: unknown) => void): unknown;
}

/** The parent port when this process is an Electron utility process, else null. */
export function parentPortOf(proc: object): ParentPort | null {
  const port: unknown = (proc as { parentPort?: unknown }).parentPort;
  return typeof port === 'object' && port !== null && typeof (port as ParentPort).on === 'function'
    ? (port as ParentPort)
    : null;
}

/** A parent-port message as a control line (`on NAME` / `off NAME`), or why it was refused. */
export function controlLineOf(message: unknown): { ok: true; line: string } | { ok: false; message: string } {
  const parsed = SimControlMessage.safeParse(message);
  if (parsed.success) return { ok: true, line: parsed.data.data };
  return { ok: false, message: `ignored a parent message: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
}

/** Feeds each valid parent-port message to `onLine`, reports the others; returns how to stop listening. */
export function listenToParentPort(
  port: ParentPort,
  onLine: (line: string) => void,
  onRefused: (message: string) => void,
): () => void {
  const listener = (message: unknown): void => {
    const r = controlLineOf(message);
    if (r.ok) onLine(r.line);
    else onRefused(r.message);
  };
  port.on('message', listener);
  return () => void port.off?.('message', listener);
}

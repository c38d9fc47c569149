import { IPC_CALL, IPC_PUSH } from '../../shared/api/channels.js';
import type { ApiReply, VigilPreload } from '../../shared/protocol/api.js';

/** The slice of `ipcRenderer` the preload uses (a test passes a double). */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * What `window.vigil` is: calls go to main as `{method, params}` (main validates them against the
 * method table) and come back as the reply envelope, code intact. Nothing is thrown across
 * contextBridge, because a thrown Error arrives in the page with its message only.
 * Runtime imports stay limited to shared/api/channels (no zod): a sandboxed preload can only
 * `require('electron')`.
 */
export function createPreloadApi(ipc: PreloadIpc): VigilPreload {
  return {
    async invoke(method, params) {
      try {
        return (await ipc.invoke(IPC_CALL, { method, params })) as ApiReply;
      } catch (err) {
        // invoke rejects only when the call cannot be sent (e.g. params that do not clone).
        const message = err instanceof Error ? err.message : String(err);
        return { ok: false, error: { code: 'bad_request', message: `the call could not be sent: ${message}` } };
      }
    },
    onPush(listener) {
      const handler = (_event: unknown, push: unknown): void => listener(push);
      ipc.on(IPC_PUSH, handler);
      return () => {
        ipc.removeListener(IPC_PUSH, handler);
      };
    },
  };
}

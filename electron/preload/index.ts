import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_CALL, IPC_PUSH, type ApiPush, type ApiReply, type VigilApi } from '../../shared/protocol/api.js';

/**
 * The only thing the page gets: one typed VigilApi object. No raw ipcRenderer, no Node.
 * Main validates every call (zod) and answers with an ApiReply envelope.
 */
const api: VigilApi = {
  async call(method, params) {
    const reply = (await ipcRenderer.invoke(IPC_CALL, { method, params })) as ApiReply;
    if (!reply.ok) throw new Error(`${reply.error.code}: ${reply.error.message}`);
    return reply.result as never;
  },
  onPush(listener: (push: ApiPush) => void) {
    const handler = (_event: IpcRendererEvent, push: ApiPush) => listener(push);
    ipcRenderer.on(IPC_PUSH, handler);
    return () => {
      ipcRenderer.removeListener(IPC_PUSH, handler);
    };
  },
};

contextBridge.exposeInMainWorld('vigil', api);

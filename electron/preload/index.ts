import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadApi } from './api.js';

/**
 * The only thing the page gets: `window.vigil`, one typed VigilPreload. No raw ipcRenderer, no Node.
 * Main validates every call against the method table and answers with an ApiReply envelope.
 */
contextBridge.exposeInMainWorld('vigil', createPreloadApi(ipcRenderer));

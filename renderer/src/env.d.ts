/// <reference types="vite/client" />
import type { VigilApi } from '../../shared/protocol';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a plain browser tab. */
    vigil?: VigilApi;
  }
}

export {};

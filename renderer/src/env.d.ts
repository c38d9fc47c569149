/// <reference types="vite/client" />
import type { VigilPreload } from '../../shared/protocol';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in a plain browser tab. */
    vigil?: VigilPreload;
  }
}

export {};

import type { VigilApi } from '../../../shared/protocol';
import { bridgeUrl, tokenFromHash } from '../lib/bridge-url';
import type { TransportState } from '../lib/connection';
import { BridgeClient } from './bridge';
import { proveHost } from './host-proof';
import { IpcClient } from './ipc';
import { ApiCallError } from './results';

/** The Api plus the state of the link that carries it; the UI never cares which link it is. */
export interface Transport {
  api: VigilApi;
  readonly state: TransportState;
  onState(listener: (state: TransportState) => void): () => void;
  dispose(): void;
}

/**
 * Picks the link: the Electron preload's `window.vigil` when present (always up, IPC does not
 * drop), otherwise the headless host's WebSocket bridge, authorised by the `#token=…` fragment.
 */
export function createTransport(win: Window): Transport {
  if (win.vigil) return preloadTransport(new IpcClient(win.vigil));
  const token = tokenFromHash(win.location.hash);
  if (!token) return noTokenTransport();
  const origin = win.location.origin;
  const bridge = new BridgeClient({ url: bridgeUrl(win.location, token), proveHost: () => proveHost(origin, token) });
  bridge.start();
  return {
    api: bridge,
    get state() {
      return bridge.state;
    },
    onState: (l) => bridge.onState(l),
    dispose: () => bridge.dispose(),
  };
}

function preloadTransport(api: VigilApi): Transport {
  return { api, state: { kind: 'ready' }, onState: () => () => {}, dispose: () => {} };
}

function noTokenTransport(): Transport {
  const api: VigilApi = {
    call: () => Promise.reject(new ApiCallError('unauthorized', 'No access token in the page URL')),
    onPush: () => () => {},
  };
  return { api, state: { kind: 'no-token' }, onState: () => () => {}, dispose: () => {} };
}

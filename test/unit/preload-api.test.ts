import { resolve } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { IPC_CALL, IPC_PUSH } from '../../shared/api/channels.js';
import type { ApiPush, SyncStatus } from '../../shared/protocol/api.js';
import { ApiService } from '../../electron/main/services/api.js';
import { createPreloadApi, type PreloadIpc } from '../../electron/preload/api.js';
import { IpcClient } from '../../renderer/src/api/ipc.js';
import { ApiCallError } from '../../renderer/src/api/results.js';

const ROOT = resolve(import.meta.dirname, '../..');

const status: SyncStatus = {
  state: 'offline',
  user: 'ana',
  collectorUrl: 'http://127.0.0.1:9',
  lastSeq: 0,
  since: '2025-03-04T03:00:00.000Z',
  serverOffsetMs: 0,
  pendingCommands: 0,
};

/**
 * The Electron path without Electron: the real ApiService answers as `ipcMain.handle` would, each
 * message is structured-cloned as IPC and contextBridge copy it, and the renderer's IpcClient
 * sits on top of the real preload function.
 */
function electronPath() {
  const noop = () => () => {};
  const api = new ApiService({
    cache: { hasAlert: () => false, listAlerts: () => [] } as never,
    sync: {
      status: () => status,
      onStatus: noop,
      onAlertsChanged: noop,
      onIncidentsChanged: noop,
      onSilencesChanged: noop,
      refreshStatus: () => {},
    },
    outbox: { onChanged: noop } as never,
  });
  const pushListeners = new Set<(event: unknown, push: unknown) => void>();
  const ipc: PreloadIpc = {
    async invoke(channel, call) {
      expect(channel).toBe(IPC_CALL);
      return structuredClone(await api.handle(structuredClone(call)));
    },
    on: (channel, l) => (channel === IPC_PUSH ? pushListeners.add(l) : undefined),
    removeListener: (_channel, l) => pushListeners.delete(l),
  };
  const push = (p: unknown) => {
    for (const l of pushListeners) l({}, structuredClone(p));
  };
  return { api, client: new IpcClient(createPreloadApi(ipc)), push, pushListeners };
}

describe('Electron preload path', () => {
  it('answers a call with the result checked against the table', async () => {
    const { client } = electronPath();
    await expect(client.call('status.get', {})).resolves.toEqual(status);
    await expect(client.call('alerts.list', {})).resolves.toEqual([]);
  });

  it('carries the error code intact to the renderer (not flattened into the message)', async () => {
    const { client } = electronPath();
    const notFound = client.call('alerts.command', { kind: 'ack', alertId: 'nope' });
    await expect(notFound).rejects.toBeInstanceOf(ApiCallError);
    await expect(notFound).rejects.toMatchObject({ code: 'not_found', message: 'no alert nope in the cache' });
    await expect(client.call('runbooks.list', {})).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('has bad params refused by main with invalid_field naming the field', async () => {
    const { client } = electronPath();
    await expect(client.call('alerts.get', { id: '' })).rejects.toMatchObject({
      code: 'invalid_field',
      message: expect.stringMatching(/^params\.id: /),
    });
    await expect(client.call('status.get', { extra: 1 } as never)).rejects.toMatchObject({ code: 'invalid_field' });
  });

  it('turns a call that cannot be sent into a coded failure instead of a bare Error', async () => {
    const preload = createPreloadApi({
      invoke: () => Promise.reject(new Error('An object could not be cloned.')),
      on: () => undefined,
      removeListener: () => undefined,
    });
    await expect(preload.invoke('status.get', {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    await expect(new IpcClient(preload).call('status.get', {})).rejects.toMatchObject({ code: 'bad_request' });
  });

  it('delivers valid pushes, drops invalid ones, and unsubscribes', () => {
    const { client, push, pushListeners } = electronPath();
    const got: ApiPush[] = [];
    const off = client.onPush((p) => got.push(p));
    push({ type: 'alerts-changed', alertIds: ['a1'] });
    push({ type: 'nonsense' });
    expect(got).toEqual([{ type: 'alerts-changed', alertIds: ['a1'] }]);
    off();
    expect(pushListeners.size).toBe(0);
  });

  it('bundles into a preload that requires nothing but electron (a sandboxed preload cannot)', async () => {
    const out = await build({
      entryPoints: [resolve(ROOT, 'electron/preload/index.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    });
    const external = Object.values(out.metafile.outputs).flatMap((o) =>
      o.imports.filter((i) => i.external).map((i) => i.path),
    );
    expect([...new Set(external)]).toEqual(['electron']);
  });
});

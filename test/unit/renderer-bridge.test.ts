import { describe, expect, it } from 'vitest';
import type { ApiPush, SyncStatus } from '../../shared/protocol';
import { BridgeClient } from '../../renderer/src/api/bridge';
import type { Timers } from '../../renderer/src/lib/coalesce';
import type { TransportState } from '../../renderer/src/lib/connection';
import { FakeSocket } from '../fixtures/fake-socket';

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ fn: () => void; ms: number }> = [];
  const fakeTimers: Timers = { setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout: () => {} };
  let now = 1_000_000;
  const client = new BridgeClient({
    url: 'ws://127.0.0.1:1/bridge?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s as unknown as WebSocket;
    },
    timers: fakeTimers,
    clock: { now: () => now },
    random: () => 0,
  });
  const states: TransportState[] = [];
  client.onState((s) => states.push(s));
  client.start();
  return { client, sockets, timers, states, advance: (ms: number) => (now += ms) };
}

const status: SyncStatus = {
  state: 'connected',
  user: 'alice',
  collectorUrl: 'http://127.0.0.1:7070',
  lastSeq: 1,
  since: '2025-03-04T03:00:00.000Z',
  serverOffsetMs: 0,
  pendingCommands: 0,
};

describe('BridgeClient', () => {
  it('holds calls made while connecting and sends them on open', async () => {
    const { client, sockets, states } = setup();
    const p = client.call('status.get', {});
    const socket = sockets[0]!;
    expect(socket.sent).toHaveLength(0);
    socket.open();
    expect(states.at(-1)).toEqual({ kind: 'ready' });
    const req = JSON.parse(socket.sent[0]!);
    expect(req).toEqual({ type: 'call', id: req.id, call: { method: 'status.get', params: {} } });
    socket.reply({ type: 'reply', id: req.id, ok: true, result: status });
    await expect(p).resolves.toEqual(status);
  });

  it('rejects with the host error code', async () => {
    const { client, sockets } = setup();
    sockets[0]!.open();
    const p = client.call('alerts.get', { id: 'x' });
    const req = JSON.parse(sockets[0]!.sent[0]!);
    sockets[0]!.reply({ type: 'reply', id: req.id, ok: false, error: { code: 'not_found', message: 'no such alert' } });
    await expect(p).rejects.toMatchObject({ code: 'not_found', message: 'no such alert' });
  });

  it('rejects a reply whose result has the wrong shape', async () => {
    const { client, sockets } = setup();
    sockets[0]!.open();
    const p = client.call('alerts.list', {});
    const req = JSON.parse(sockets[0]!.sent[0]!);
    sockets[0]!.reply({ type: 'reply', id: req.id, ok: true, result: [{ id: 1 }] });
    await expect(p).rejects.toMatchObject({ code: 'protocol_mismatch' });
  });

  it('keeps the message but reads a code this build does not know as protocol_mismatch', async () => {
    const { client, sockets } = setup();
    sockets[0]!.open();
    const p = client.call('status.get', {});
    const req = JSON.parse(sockets[0]!.sent[0]!);
    sockets[0]!.reply({ type: 'reply', id: req.id, ok: false, error: { code: 'teapot', message: 'short and stout' } });
    await expect(p).rejects.toMatchObject({
      name: 'ApiCallError',
      code: 'protocol_mismatch',
      message: 'short and stout',
    });
  });

  it('delivers valid pushes and ignores invalid frames', () => {
    const { client, sockets } = setup();
    const pushes: ApiPush[] = [];
    client.onPush((p) => pushes.push(p));
    sockets[0]!.open();
    sockets[0]!.onmessage?.({ data: 'not json' });
    sockets[0]!.reply({ type: 'push', push: { type: 'nonsense' } });
    sockets[0]!.reply({ type: 'push', push: { type: 'alerts-changed', alertIds: ['a1'] } });
    expect(pushes).toEqual([{ type: 'alerts-changed', alertIds: ['a1'] }]);
  });

  it('rejects pending calls on close, fails fast while down, and reconnects with backoff', async () => {
    const { client, sockets, timers, states, advance } = setup();
    sockets[0]!.open();
    const pending = client.call('outbox.list', {});
    sockets[0]!.drop();
    await expect(pending).rejects.toMatchObject({ code: 'unavailable' });
    expect(states.at(-1)).toEqual({ kind: 'down', since: 1_000_000, nextRetryAt: 1_000_500 });
    await expect(client.call('status.get', {})).rejects.toMatchObject({ code: 'unavailable' });

    // The retry fails too: the delay doubles and "down since" keeps the first failure's time.
    advance(500);
    timers.shift()!.fn();
    expect(states.at(-1)).toEqual({ kind: 'connecting' });
    sockets[1]!.drop();
    expect(states.at(-1)).toEqual({ kind: 'down', since: 1_000_000, nextRetryAt: 1_000_500 + 1000 });

    timers.shift()!.fn();
    sockets[2]!.open();
    expect(states.at(-1)).toEqual({ kind: 'ready' });
    expect(sockets).toHaveLength(3);
  });

  it('stops reconnecting once disposed', () => {
    const { client, sockets, timers } = setup();
    sockets[0]!.open();
    client.dispose();
    sockets[0]!.drop();
    expect(timers).toHaveLength(0);
  });
});

import {
  BridgeMessage,
  type ApiMethod,
  type ApiParams,
  type ApiPush,
  type ApiResult,
  type BridgeRequest,
  type VigilApi,
} from '../../../shared/protocol';
import type { ErrorCode } from '../../../shared/protocol/errors';
import { ApiCallError, settleReply } from '../../../shared/api/client';
import { systemClock, type Clock } from '../../../shared/clock';
import { backoffDelay } from '../lib/bridge-url';
import { browserTimers, type Timers } from '../lib/coalesce';
import type { TransportState } from '../lib/connection';
import type { ProofOutcome } from './host-proof';

export interface BridgeOptions {
  url: string;
  createSocket?: (url: string) => WebSocket;
  timers?: Timers;
  clock?: Clock;
  random?: () => number;
  /**
   * Asked before every automatic reconnect (never before the page's first connect): only
   * `proven` (whoever answers at the address knows the token) lets the token go out. Absent:
   * no check (tests of the plain transport).
   */
  proveHost?: () => Promise<ProofOutcome>;
}

/** WebSocket.OPEN, spelled out so the class also runs against a test double. */
const SOCKET_OPEN = 1;

interface PendingCall {
  method: ApiMethod;
  resolve: (value: unknown) => void;
  reject: (err: ApiCallError) => void;
}

/**
 * VigilApi over the headless host's WebSocket bridge. Calls are numbered; each waits for the
 * reply with its id. Calls made while the socket is still opening are held and sent on open;
 * calls made while it is down fail at once (a command must never vanish silently). When the
 * socket drops every pending call is rejected and the bridge reconnects with backoff; listeners
 * of `onState` refetch everything once it is back, because pushes sent meanwhile are lost.
 */
export class BridgeClient implements VigilApi {
  private readonly opts: Required<Omit<BridgeOptions, 'proveHost'>> & Pick<BridgeOptions, 'proveHost'>;
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, PendingCall>();
  private held: string[] = [];
  private readonly pushListeners = new Set<(push: ApiPush) => void>();
  private readonly stateListeners = new Set<(state: TransportState) => void>();
  private current: TransportState = { kind: 'connecting' };
  private attempt = 0;
  private downSince: number | null = null;
  private retryHandle: unknown = null;
  private disposed = false;
  /** Set once the first connect of this page load has been tried; every later one is a reconnect. */
  private triedOnce = false;

  constructor(options: BridgeOptions) {
    this.opts = {
      createSocket: (url) => new WebSocket(url),
      timers: browserTimers,
      clock: systemClock,
      random: Math.random,
      ...options,
    };
  }

  start(): void {
    this.open();
  }

  get state(): TransportState {
    return this.current;
  }

  onState(listener: (state: TransportState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  onPush(listener: (push: ApiPush) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    if (this.disposed || this.current.kind === 'down' || this.current.kind === 'impostor') {
      return Promise.reject(new ApiCallError('unavailable', 'Not connected to the Vigil host'));
    }
    const id = this.nextId++;
    // The cast is the one place the method/params pairing is widened; ApiParams<M> keeps callers honest.
    const request = { type: 'call', id, call: { method, params } } as BridgeRequest;
    const data = JSON.stringify(request);
    return new Promise<ApiResult<M>>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
      if (this.socket?.readyState === SOCKET_OPEN) this.socket.send(data);
      else this.held.push(data);
    });
  }

  dispose(): void {
    this.disposed = true;
    if (this.retryHandle !== null) this.opts.timers.clearTimeout(this.retryHandle);
    this.retryHandle = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
    this.failPending('unavailable', 'The page is closing');
    this.pushListeners.clear();
    this.stateListeners.clear();
  }

  private open(): void {
    if (this.disposed) return;
    this.retryHandle = null;
    const reconnect = this.triedOnce;
    this.triedOnce = true;
    const prove = this.opts.proveHost;
    if (!reconnect || !prove) return this.openSocket();
    // The old address may now belong to someone else: the token goes only to a host that proves it holds it.
    prove()
      .catch((): ProofOutcome => 'unreachable')
      .then((outcome) => {
        if (this.disposed) return;
        if (outcome === 'proven') this.openSocket();
        else this.scheduleReconnect(outcome === 'refuted' ? 'impostor' : 'down');
      })
      .catch(() => this.scheduleReconnect('impostor'));
  }

  private openSocket(): void {
    let socket: WebSocket;
    try {
      socket = this.opts.createSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.attempt = 0;
      this.downSince = null;
      const held = this.held;
      this.held = [];
      for (const data of held) socket.send(data);
      this.setState({ kind: 'ready' });
    };
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending('unavailable', 'Lost connection to the Vigil host');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(kind: 'down' | 'impostor' = 'down'): void {
    if (this.disposed) return;
    const now = this.opts.clock.now();
    this.downSince ??= now;
    const delay = backoffDelay(this.attempt++, this.opts.random);
    this.retryHandle = this.opts.timers.setTimeout(() => {
      this.setState({ kind: 'connecting' });
      this.open();
    }, delay);
    this.setState({ kind, since: this.downSince, nextRetryAt: now + delay });
  }

  private receive(data: unknown): void {
    let raw: unknown;
    try {
      raw = JSON.parse(typeof data === 'string' ? data : '');
    } catch {
      console.warn('[vigil] bridge: ignoring a frame that is not JSON');
      return;
    }
    const parsed = BridgeMessage.safeParse(raw);
    if (!parsed.success) {
      console.warn('[vigil] bridge: ignoring an invalid frame', parsed.error.issues[0]);
      this.rejectById(raw, 'protocol_mismatch', 'The Vigil host sent a reply this page does not understand');
      return;
    }
    const msg = parsed.data;
    if (msg.type === 'push') {
      for (const listener of this.pushListeners) listener(msg.push);
      return;
    }
    const call = this.pending.get(msg.id);
    if (!call) return;
    this.pending.delete(msg.id);
    try {
      // The failure's code arrives as the host sent it; results are checked against the table.
      call.resolve(settleReply(call.method, msg));
    } catch (err) {
      call.reject(err instanceof ApiCallError ? err : new ApiCallError('internal', String(err)));
    }
  }

  /** An invalid reply still names the call it answers; fail that call instead of leaving it hanging. */
  private rejectById(raw: unknown, code: ErrorCode, message: string): void {
    if (typeof raw !== 'object' || raw === null || !('id' in raw) || typeof raw.id !== 'number') return;
    const call = this.pending.get(raw.id);
    if (!call) return;
    this.pending.delete(raw.id);
    call.reject(new ApiCallError(code, message));
  }

  private failPending(code: ErrorCode, message: string): void {
    const calls = [...this.pending.values()];
    this.pending.clear();
    this.held = [];
    for (const call of calls) call.reject(new ApiCallError(code, message));
  }

  private setState(state: TransportState): void {
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

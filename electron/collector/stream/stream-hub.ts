import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { Clock } from '../../../shared/clock.js';
import { toIso } from '../../../shared/clock.js';
import { ClientFrame, type CommandFrame, type ServerFrame } from '../../../shared/protocol/stream.js';
import { describeZodError } from '../../../shared/protocol/errors.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version.js';
import type { AlertService } from '../alerts/alert-service.js';
import { presentedToken, tokenMatches } from '../http/auth.js';
import type { Metrics } from '../metrics.js';
import type { CollectorStore, LogEntry } from '../store/store.js';

export interface StreamHubOptions {
  token: string;
  heartbeatMs: number;
  deadAfterMs: number;
}

/** Garbage frames tolerated per connection before it is closed with 1008. */
const MAX_BAD_FRAMES = 5;
const REPLAY_PAGE = 500;
const MAX_FRAME_BYTES = 256 * 1024;

interface Peer {
  ws: WebSocket;
  user?: string;
  lastSeen: number;
  badFrames: number;
}

/**
 * `GET /v1/stream`: hello → welcome → replay after lastSeq (or snapshot) → live log events.
 * Replay and fan-out both run synchronously on the one JS thread, so a client never misses or
 * duplicates an event between its replay and the live stream.
 */
export class StreamHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly peers = new Set<Peer>();
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly opts: StreamHubOptions,
    private readonly store: CollectorStore,
    private readonly alerts: AlertService,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {}

  start(): void {
    this.unsubscribe = this.alerts.onCommitted((entries) => this.fanOut(entries));
    this.timer = setInterval(() => this.heartbeat(), this.opts.heartbeatMs);
    this.timer.unref();
    this.metrics.wsClients = () => this.peers.size;
  }

  clientCount(): number {
    return this.peers.size;
  }

  /** Wire to `server.on('upgrade')`. Rejects other paths with 404 and bad tokens with 401. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://collector');
    const refuse = (status: number, code: string, message: string): void => {
      const body = JSON.stringify({ error: { code, message } });
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : 'Not Found'}\r\ncontent-type: application/json\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
      );
    };
    if (url.pathname !== '/v1/stream') return refuse(404, 'not_found', `no stream at ${url.pathname}`);
    if (!tokenMatches(this.opts.token, presentedToken(req, url, true))) {
      this.metrics.reject('unauthorized');
      return refuse(401, 'unauthorized', 'missing or wrong token');
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  async dispose(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    for (const p of this.peers) p.ws.close(1001, 'collector shutting down');
    // Give close frames a moment, then make sure nothing stays open.
    await new Promise((r) => setTimeout(r, 50));
    for (const p of this.peers) p.ws.terminate();
    this.peers.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private accept(ws: WebSocket): void {
    const peer: Peer = { ws, lastSeen: this.clock.now(), badFrames: 0 };
    this.peers.add(peer);
    ws.on('message', (data, isBinary) => this.onMessage(peer, data, isBinary));
    ws.on('close', () => this.peers.delete(peer));
    ws.on('error', () => this.peers.delete(peer));
  }

  private send(peer: Peer, frame: ServerFrame): void {
    if (peer.ws.readyState === peer.ws.OPEN) peer.ws.send(JSON.stringify(frame));
  }

  private reject(peer: Peer, code: string, message: string): void {
    this.metrics.wsFramesRejected += 1;
    peer.badFrames += 1;
    this.send(peer, { type: 'error', code, message });
    if (peer.user === undefined) {
      peer.ws.close(1008, 'send hello first');
    } else if (peer.badFrames > MAX_BAD_FRAMES) {
      peer.ws.close(1008, 'too many invalid frames');
    }
  }

  private onMessage(peer: Peer, data: RawData, isBinary: boolean): void {
    peer.lastSeen = this.clock.now();
    if (isBinary) return this.reject(peer, 'bad_request', 'frames are JSON text');
    let json: unknown;
    try {
      json = JSON.parse(data.toString());
    } catch {
      return this.reject(peer, 'invalid_json', 'frame is not valid JSON');
    }
    const r = ClientFrame.safeParse(json);
    if (!r.success) {
      const d = describeZodError(r.error);
      return this.reject(peer, 'invalid_field', `${d.field}: ${d.message}`);
    }
    const frame = r.data;
    if (frame.type === 'pong') return;
    if (frame.type === 'hello') {
      if (peer.user !== undefined) return this.reject(peer, 'bad_request', 'hello already received');
      if (frame.protocol !== PROTOCOL_VERSION) {
        this.send(peer, { type: 'error', code: 'protocol_mismatch', message: `collector speaks protocol ${PROTOCOL_VERSION}, client ${frame.protocol}` });
        return void peer.ws.close(1008, 'protocol mismatch');
      }
      peer.user = frame.user;
      return this.welcome(peer, frame.lastSeq);
    }
    if (peer.user === undefined) return this.reject(peer, 'bad_request', 'send hello first');
    this.command(peer, peer.user, frame);
  }

  private welcome(peer: Peer, lastSeq: number): void {
    const head = this.store.lastSeq();
    this.send(peer, { type: 'welcome', protocol: PROTOCOL_VERSION, serverTime: this.clock.now(), lastSeq: head });
    // A cursor before the retained log, or ahead of it (another collector's data dir), cannot be
    // replayed event by event: send the whole current state instead.
    if (lastSeq + 1 < this.store.firstRetainedSeq() || lastSeq > head) {
      return this.send(peer, { type: 'snapshot', lastSeq: head, alerts: this.store.listAlerts() });
    }
    for (let after = lastSeq; ; ) {
      const page = this.store.logAfter(after, REPLAY_PAGE);
      for (const e of page) this.send(peer, eventFrame(e));
      if (page.length < REPLAY_PAGE) break;
      after = page[page.length - 1]?.seq ?? head;
    }
  }

  private command(peer: Peer, user: string, frame: CommandFrame): void {
    const result = this.alerts.command(frame, user);
    if (result.ok) this.metrics.commandsApplied += 1;
    this.send(peer, {
      type: 'result',
      id: frame.id,
      ok: result.ok,
      ...(result.conflict !== undefined ? { conflict: result.conflict } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
    });
  }

  private fanOut(entries: readonly LogEntry[]): void {
    for (const peer of this.peers) {
      if (peer.user === undefined) continue;
      for (const e of entries) this.send(peer, eventFrame(e));
    }
  }

  private heartbeat(): void {
    const now = this.clock.now();
    for (const peer of this.peers) {
      if (now - peer.lastSeen > this.opts.deadAfterMs) {
        peer.ws.terminate();
        this.peers.delete(peer);
        continue;
      }
      this.send(peer, { type: 'ping', t: now });
    }
  }
}

function eventFrame(e: LogEntry): ServerFrame {
  return {
    type: 'event',
    seq: e.seq,
    at: toIso(e.at),
    alertId: e.alertId,
    kind: e.kind,
    ...(e.actor !== undefined ? { actor: e.actor } : {}),
    ...(e.note !== undefined ? { note: e.note } : {}),
    alert: e.alert,
  };
}

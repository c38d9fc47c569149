import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { toIso, type Clock } from '../../../shared/clock.js';
import { ClientFrame, type CommandFrame, type ServerFrame } from '../../../shared/protocol/stream.js';
import { describeZodError } from '../../../shared/protocol/errors.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version.js';
import type { AlertService } from '../alerts/alert-service.js';
import { presentedToken, tokenMatches } from '../http/auth.js';
import type { Metrics } from '../metrics.js';
import type { CollectorStore, CommandResult, LogEntry } from '../store/store.js';
import { eventFrameText, rawEventFrameText } from './event-frame.js';

export interface StreamHubOptions {
  token: string;
  /** How often each peer gets a `ping` frame (its proof that we are alive). */
  heartbeatMs: number;
  /** A peer silent for this long (no frame, no transport ping/pong) is terminated, at the latest by then. */
  deadAfterMs: number;
  log?: (msg: string) => void;
  /** Applies `override` commands (the rotation); absent = they fail with an error result. */
  rotation?: { apply(cmd: CommandFrame, actor: string): CommandResult };
}

/** Garbage frames tolerated per connection before it is closed with 1008. */
const MAX_BAD_FRAMES = 5;
const REPLAY_PAGE = 500;
/** Pages replayed per event-loop turn: a long replay must not stall ingest or other peers. */
const REPLAY_PAGES_PER_TURN = 20;
const MAX_FRAME_BYTES = 256 * 1024;
/** A peer this far behind on reading (unsent bytes) is dropped; it resumes from its lastSeq. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Rejected frames logged per peer; the metric counts all of them. */
const MAX_REJECT_LOGS = 3;

interface Peer {
  id: number;
  ws: WebSocket;
  /** The TCP socket under `ws`: corked around a replay page so a page leaves in a few writes, not one per frame. */
  socket: Duplex;
  user?: string;
  lastSeen: number;
  badFrames: number;
  /** False while a replay is still reading the log: live fan-out skips it (the log has those events). */
  live: boolean;
}

/**
 * `GET /v1/stream`: hello → welcome → replay after lastSeq (or snapshot when lastSeq predates
 * the retained log) → live log events. Log entries are committed before fan-out, so a peer
 * still replaying reads new ones from the log and joins fan-out once it reaches the head:
 * nothing is missed or sent twice between replay and live.
 */
export class StreamHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  private readonly peers = new Set<Peer>();
  private readonly log: (msg: string) => void;
  private pingTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepMs: number;
  private unsubscribe: (() => void) | undefined;
  private nextPeerId = 1;

  constructor(
    private readonly opts: StreamHubOptions,
    private readonly store: CollectorStore,
    private readonly alerts: AlertService,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
  ) {
    this.log = opts.log ?? (() => {});
    // Sweeping every tenth of deadAfter and cutting that much off the threshold bounds the
    // time to detect a dead peer by deadAfter itself.
    this.sweepMs = Math.max(50, Math.floor(opts.deadAfterMs / 10));
  }

  start(): void {
    this.unsubscribe = this.alerts.onCommitted((entries) => this.fanOut(entries));
    this.pingTimer = setInterval(() => this.ping(), this.opts.heartbeatMs);
    this.pingTimer.unref();
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepMs);
    this.sweepTimer.unref();
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
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket));
  }

  async dispose(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.unsubscribe?.();
    for (const p of this.peers) p.ws.close(1001, 'collector shutting down');
    // Give close frames a moment, then make sure nothing stays open.
    await new Promise((r) => setTimeout(r, 50));
    for (const p of this.peers) p.ws.terminate();
    this.peers.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private accept(ws: WebSocket, socket: Duplex): void {
    const peer: Peer = { id: this.nextPeerId++, ws, socket, lastSeen: this.clock.now(), badFrames: 0, live: false };
    this.peers.add(peer);
    const seen = (): void => {
      peer.lastSeen = this.clock.now();
    };
    ws.on('message', (data, isBinary) => {
      seen();
      this.onMessage(peer, data, isBinary);
    });
    // Transport-level heartbeats (the desktop's SyncClient pings) count as signs of life too.
    ws.on('ping', seen);
    ws.on('pong', seen);
    ws.on('close', () => this.peers.delete(peer));
    ws.on('error', (err) => {
      this.log(`stream: peer ${peer.id}: ${err.message}`);
      this.peers.delete(peer);
    });
  }

  private sendText(peer: Peer, text: string): void {
    if (peer.ws.readyState !== peer.ws.OPEN) return;
    if (peer.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log(`stream: peer ${peer.id} (${peer.user ?? '?'}) is not reading; dropping it`);
      this.drop(peer);
      return;
    }
    peer.ws.send(text);
  }

  private send(peer: Peer, frame: ServerFrame): void {
    this.sendText(peer, JSON.stringify(frame));
  }

  private drop(peer: Peer): void {
    peer.ws.terminate();
    this.peers.delete(peer);
  }

  private reject(peer: Peer, code: string, message: string): void {
    this.metrics.wsFramesRejected += 1;
    peer.badFrames += 1;
    if (peer.badFrames <= MAX_REJECT_LOGS) {
      this.log(`stream: rejected a frame from peer ${peer.id} (${peer.user ?? 'before hello'}): ${code}: ${message}`);
    }
    this.send(peer, { type: 'error', code, message });
    if (peer.user === undefined) {
      peer.ws.close(1008, 'send hello first');
    } else if (peer.badFrames > MAX_BAD_FRAMES) {
      this.log(`stream: closing peer ${peer.id} (${peer.user}): too many invalid frames`);
      peer.ws.close(1008, 'too many invalid frames');
    }
  }

  private onMessage(peer: Peer, data: RawData, isBinary: boolean): void {
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
        this.log(`stream: peer ${peer.id} speaks protocol ${frame.protocol}; closing`);
        this.send(peer, {
          type: 'error',
          code: 'protocol_mismatch',
          message: `collector speaks protocol ${PROTOCOL_VERSION}, client ${frame.protocol}`,
        });
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
    // replayed event by event: send the whole current state, then the tail from there.
    if (lastSeq + 1 < this.store.firstRetainedSeq() || lastSeq > head) {
      this.log(
        `stream: ${peer.user ?? '?'} (peer ${peer.id}) at seq ${lastSeq}: outside the retained log, sending a snapshot at ${head}`,
      );
      return this.snapshot(peer);
    }
    this.log(
      `stream: ${peer.user ?? '?'} (peer ${peer.id}) resumes after seq ${lastSeq}; replaying ${head - lastSeq} events`,
    );
    this.replay(peer, lastSeq);
  }

  private snapshot(peer: Peer): void {
    this.send(peer, { type: 'snapshot', lastSeq: this.store.lastSeq(), alerts: this.store.listAlerts() });
    peer.live = true;
  }

  /** Sends the log after `after` a few pages per turn; the peer goes live once it reaches the head. */
  private replay(peer: Peer, after: number): void {
    if (!this.peers.has(peer)) return;
    // Retention may have pruned past the cursor between turns.
    if (after + 1 < this.store.firstRetainedSeq()) return this.snapshot(peer);
    for (let pages = 0; pages < REPLAY_PAGES_PER_TURN; pages++) {
      const page = this.store.logTextAfter(after, REPLAY_PAGE);
      // ws writes each frame with its own syscall; corked, the page goes out in one writev.
      peer.socket.cork();
      try {
        for (const e of page) this.sendText(peer, rawEventFrameText(e));
      } finally {
        peer.socket.uncork();
      }
      const last = page[page.length - 1];
      if (page.length < REPLAY_PAGE || last === undefined) {
        peer.live = true;
        return;
      }
      after = last.seq;
    }
    setImmediate(() => this.replay(peer, after));
  }

  private command(peer: Peer, user: string, frame: CommandFrame): void {
    const result: CommandResult =
      frame.kind === 'override'
        ? (this.opts.rotation?.apply(frame, user) ?? {
            ok: false,
            error: 'this collector does not take rotation overrides',
          })
        : this.alerts.command(frame, user);
    if (result.ok) this.metrics.commandsApplied += 1;
    this.send(peer, {
      type: 'result',
      id: frame.id,
      ok: result.ok,
      ...(result.conflict !== undefined ? { conflict: result.conflict } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
    });
  }

  /** Tells every connected desktop the rotation changed (they fetch it rather than wait to poll). */
  rotationChanged(at: number): void {
    const text = JSON.stringify({ type: 'rotation', changedAt: toIso(at) } satisfies ServerFrame);
    for (const peer of this.peers) if (peer.user !== undefined) this.sendText(peer, text);
  }

  private fanOut(entries: readonly LogEntry[]): void {
    // Serialised once, sent to every peer: fan-out cost does not grow with JSON work per client.
    let texts: string[] | undefined;
    for (const peer of this.peers) {
      if (peer.user === undefined || !peer.live) continue;
      texts ??= entries.map(eventFrameText);
      for (const t of texts) this.sendText(peer, t);
    }
  }

  private ping(): void {
    const text = JSON.stringify({ type: 'ping', t: this.clock.now() } satisfies ServerFrame);
    for (const peer of this.peers) this.sendText(peer, text);
  }

  private sweep(): void {
    const now = this.clock.now();
    const limit = this.opts.deadAfterMs - this.sweepMs;
    for (const peer of this.peers) {
      if (now - peer.lastSeen > limit) {
        this.log(
          `stream: peer ${peer.id} (${peer.user ?? 'before hello'}) silent for ${now - peer.lastSeen} ms; terminating`,
        );
        this.drop(peer);
      }
    }
  }
}

import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { toIso, type Clock } from '../../../shared/clock.js';
import {
  CLIENT_FRAME_BURST,
  CLIENT_FRAMES_PER_SECOND,
  ClientFrame,
  type CommandFrame,
  type ServerFrame,
} from '../../../shared/protocol/stream.js';
import { describeZodError } from '../../../shared/protocol/errors.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version.js';
import { TokenBucket } from '../../../shared/rate/token-bucket.js';
import { logSafe } from '../../../shared/text/log-safe.js';
import type { AlertService } from '../alerts/alert-service.js';
import { answerAndClose } from '../http/answer-and-close.js';
import { presentedToken, type Authenticator, type Principal } from '../http/auth.js';
import { badTarget, parseTarget } from '../http/request-target.js';
import type { Metrics } from '../metrics.js';
import type { Silence } from '../../../shared/protocol/incident.js';
import type { CollectorStore, CommandResult, StreamEntry } from '../store/store.js';
import { eventFrameText, rawEventFrameText } from './event-frame.js';
import { POSTMORTEM_KINDS } from '../postmortems/postmortem-service.js';
import { SNAPSHOT_PAGE_BOUNDS, snapshotPages, type SnapshotPageBounds } from './snapshot-pages.js';

export interface StreamHubOptions {
  /** Who a token is (the shared token or a person's own) and what they may do. */
  auth: Authenticator;
  /** How often each peer gets a `ping` frame (its proof that we are alive). */
  heartbeatMs: number;
  /** A peer silent for this long (no frame, no transport ping/pong) is terminated, at the latest by then. */
  deadAfterMs: number;
  log?: (msg: string) => void;
  /** Applies `override` and `remove-override` commands (the rotation); absent = they fail with an error result. */
  rotation?: {
    apply(cmd: CommandFrame, actor: string): CommandResult;
    remove(cmd: CommandFrame, actor: string): CommandResult;
  };
  /** Applies `pulse` commands (issue 15: fatigue pulse answers); absent = they fail with an error result. */
  health?: { pulse(cmd: CommandFrame, actor: string): CommandResult };
  /** The silences (`silences` frames after the snapshot / replay and on every change). */
  incidents?: {
    silences(): readonly Silence[];
    onSilencesChanged(listener: (silences: readonly Silence[]) => void): () => void;
  };
  /** Applies issue 15's commands (postmortems, action items, review marks); absent = they fail. */
  postmortems?: { apply(cmd: CommandFrame, actor: string): CommandResult };
  /** Snapshot paging; the default suits the desktop's 64 MiB frame limit. */
  snapshotPages?: SnapshotPageBounds;
}

/** Garbage frames tolerated per connection before it is closed with 1008. */
const MAX_BAD_FRAMES = 5;
const REPLAY_PAGE = 500;
/** Pages replayed per event-loop turn: a long replay must not stall ingest or other peers. */
const REPLAY_PAGES_PER_TURN = 20;
/**
 * Largest frame a client may send (ws `maxPayload`; larger ones close the connection with 1009).
 * The largest legitimate one is a command with every field at its schema maximum: a 5000-char
 * note in which every char is JSON-escaped (6 bytes) plus id, alertId and an override, about
 * 34 KB. Admitted frames wait in the peer's inbox (at most CLIENT_FRAME_BURST of them, plus
 * what refills meanwhile), so this bounds that inbox to 200 × 64 KiB = 12.5 MiB per connection
 * (256 KiB made it 50 MiB).
 */
export const MAX_FRAME_BYTES = 64 * 1024;
/** A peer this far behind on reading (unsent bytes) is dropped; it resumes from its lastSeq. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Rejected frames logged per peer; the metric counts all of them. */
const MAX_REJECT_LOGS = 3;
/**
 * While a snapshot is being sent, the next page waits until the peer has read the previous ones
 * down to this many unsent bytes: a large snapshot never sits in memory twice, nor trips
 * MAX_BUFFERED_BYTES.
 */
const SNAPSHOT_MAX_UNSENT_BYTES = 8 * 1024 * 1024;
/** A peer closed for flooding is cut off this long after its close frame, whether it answers or not. */
const CLOSE_GRACE_MS = 1_000;
/**
 * Frames of one peer handled per event-loop turn. A command commits with fsync, and ws hands
 * over a whole socket read at once: handled in one go, a burst held the loop (and /healthz) for
 * as long as its fsyncs took. In slices, other requests and peers get turns in between.
 */
const FRAMES_PER_TURN = 5;

interface Peer {
  id: number;
  ws: WebSocket;
  /** The TCP socket under `ws`: corked around a replay page so a page leaves in a few writes, not one per frame. */
  socket: Duplex;
  /** Whose token opened the connection. */
  principal: Principal;
  user?: string;
  lastSeen: number;
  badFrames: number;
  /** False while a replay or snapshot is still being sent: live fan-out skips it (the log has those events). */
  live: boolean;
  /** Every inbound frame (text, ping, pong) spends a token; see CLIENT_FRAMES_PER_SECOND. */
  bucket: TokenBucket;
  /** Being closed by us: its further frames are not read. */
  closing: boolean;
  /** Admitted frames not yet handled (at most the bucket's burst and what refills meanwhile). */
  inbox: { data: RawData; isBinary: boolean }[];
  /** A turn to handle the inbox is scheduled. */
  draining: boolean;
}

const REFUSAL_REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
};

/** Answers an upgrade request that is not accepted, then closes its connection (see answerAndClose). */
function refuseUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  answerAndClose(
    socket,
    `HTTP/1.1 ${status} ${REFUSAL_REASON[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

/** A peer as log lines name it; the user name came from the client and is escaped. */
function who(peer: Peer): string {
  return `peer ${peer.id} (${peer.user !== undefined ? logSafe(peer.user) : 'before hello'})`;
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
  private unsubscribeSilences: (() => void) | undefined;
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
    this.unsubscribeSilences = this.opts.incidents?.onSilencesChanged((list) => this.silencesChanged(list));
    this.pingTimer = setInterval(() => this.ping(), this.opts.heartbeatMs);
    this.pingTimer.unref();
    this.sweepTimer = setInterval(() => this.sweep(), this.sweepMs);
    this.sweepTimer.unref();
    this.metrics.wsClients = () => this.peers.size;
  }

  clientCount(): number {
    return this.peers.size;
  }

  /**
   * Wire to `server.on('upgrade')`. Rejects targets that are not paths with 400, other paths with
   * 404 and unknown tokens with 401, then closes the connection: an upgraded socket has no request
   * timeout left, so a refused client that never closes must not keep it (connections are capped).
   * Never throws: an exception here would be thrown from node's 'upgrade' event, uncaught.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      const url = parseTarget(req.url);
      if (url === undefined) return refuseUpgrade(socket, 400, 'bad_request', badTarget().message);
      if (url.pathname !== '/v1/stream') return refuseUpgrade(socket, 404, 'not_found', `no stream at ${url.pathname}`);
      const principal = this.opts.auth.identify(presentedToken(req, url, true));
      if (principal === undefined) {
        this.metrics.reject('unauthorized');
        return refuseUpgrade(socket, 401, 'unauthorized', 'missing or wrong token');
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket, principal));
    } catch (err) {
      this.log(`stream: upgrade failed: ${logSafe((err as Error).stack ?? String(err))}`);
      socket.destroy();
    }
  }

  async dispose(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.unsubscribe?.();
    this.unsubscribeSilences?.();
    for (const p of this.peers) p.ws.close(1001, 'collector shutting down');
    // Give close frames a moment, then make sure nothing stays open.
    await new Promise((r) => setTimeout(r, 50));
    for (const p of this.peers) p.ws.terminate();
    this.peers.clear();
    await new Promise<void>((r) => this.wss.close(() => r()));
  }

  private accept(ws: WebSocket, socket: Duplex, principal: Principal): void {
    const now = this.clock.now();
    const peer: Peer = {
      id: this.nextPeerId++,
      ws,
      socket,
      principal,
      lastSeen: now,
      badFrames: 0,
      live: false,
      // Rates are measured on the monotonic clock: a wall clock stepping must not open or shut the bucket.
      bucket: new TokenBucket(CLIENT_FRAMES_PER_SECOND, CLIENT_FRAME_BURST, performance.now()),
      closing: false,
      inbox: [],
      draining: false,
    };
    this.peers.add(peer);
    /** Every inbound frame is a sign of life, and is paid for from the peer's bucket first. */
    const admit = (): boolean => {
      if (peer.closing) return false;
      peer.lastSeen = this.clock.now();
      if (peer.bucket.take(performance.now())) return true;
      this.rateLimited(peer);
      return false;
    };
    ws.on('message', (data, isBinary) => {
      if (!admit()) return;
      peer.inbox.push({ data, isBinary });
      this.scheduleDrain(peer);
    });
    // Transport-level heartbeats (the desktop's SyncClient pings) count as signs of life too.
    // ws answers each ping with a pong, so a ping flood is work too: they spend tokens like frames.
    ws.on('ping', admit);
    ws.on('pong', admit);
    ws.on('close', () => this.peers.delete(peer));
    ws.on('error', (err) => {
      this.log(`stream: ${who(peer)}: ${logSafe(err.message)}`);
      this.peers.delete(peer);
    });
  }

  private scheduleDrain(peer: Peer): void {
    if (peer.draining) return;
    peer.draining = true;
    setImmediate(() => {
      peer.draining = false;
      for (let n = 0; n < FRAMES_PER_TURN; n++) {
        const next = peer.inbox.shift();
        if (next === undefined || peer.closing || !this.peers.has(peer)) break;
        this.onMessage(peer, next.data, next.isBinary);
      }
      if (peer.closing || !this.peers.has(peer)) peer.inbox = [];
      if (peer.inbox.length > 0) this.scheduleDrain(peer);
    });
  }

  /** Over its frame rate: told why, closed with 1008, and its socket no longer read. */
  private rateLimited(peer: Peer): void {
    this.metrics.wsRateLimited += 1;
    this.log(
      `stream: ${who(peer)} sent frames faster than ${CLIENT_FRAMES_PER_SECOND}/s (burst ${CLIENT_FRAME_BURST}); closing`,
    );
    this.send(peer, {
      type: 'error',
      code: 'rate_limited',
      message: `more than ${CLIENT_FRAMES_PER_SECOND} frames/s (burst ${CLIENT_FRAME_BURST}); reconnect and send slower`,
    });
    this.closePeer(peer, 'rate limited', true);
  }

  /**
   * Closes with 1008; frames still arriving are ignored, and the peer is cut off after
   * CLOSE_GRACE_MS if its close frame never comes. `stopReading` (a flood) also stops reading its
   * socket at once, so what is still in flight costs nothing more.
   */
  private closePeer(peer: Peer, reason: string, stopReading = false): void {
    if (peer.closing) return;
    peer.closing = true;
    peer.live = false;
    peer.inbox = [];
    peer.ws.close(1008, reason);
    if (stopReading) peer.ws.pause();
    setTimeout(() => this.drop(peer), CLOSE_GRACE_MS).unref();
  }

  private sendText(peer: Peer, text: string): void {
    if (peer.ws.readyState !== peer.ws.OPEN) return;
    if (peer.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.log(`stream: ${who(peer)} is not reading; dropping it`);
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
      this.log(`stream: rejected a frame from ${who(peer)}: ${code}: ${logSafe(message)}`);
    }
    this.send(peer, { type: 'error', code, message });
    if (peer.user === undefined) {
      this.closePeer(peer, 'send hello first');
    } else if (peer.badFrames > MAX_BAD_FRAMES) {
      this.log(`stream: closing ${who(peer)}: too many invalid frames`);
      this.closePeer(peer, 'too many invalid frames');
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
        return this.closePeer(peer, 'protocol mismatch');
      }
      const denied = this.opts.auth.helloDenied(peer.principal, frame.user);
      if (denied !== undefined) {
        this.metrics.wsHelloForbidden += 1;
        const token = peer.principal.kind === 'user' ? `${logSafe(peer.principal.name)}'s token` : 'the shared token';
        this.log(`stream: peer ${peer.id} said hello as ${logSafe(frame.user)} with ${token}: forbidden; closing`);
        this.send(peer, { type: 'error', code: 'forbidden', message: denied });
        return this.closePeer(peer, 'forbidden');
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
        `stream: ${logSafe(peer.user ?? '?')} (peer ${peer.id}) at seq ${lastSeq}: outside the retained log, sending a snapshot at ${head}`,
      );
      return this.snapshot(peer);
    }
    this.log(
      `stream: ${logSafe(peer.user ?? '?')} (peer ${peer.id}) resumes after seq ${lastSeq}; replaying ${head - lastSeq} events`,
    );
    this.replay(peer, lastSeq);
  }

  /**
   * The alert set and its seq are read together (one synchronous turn, so they agree); the pages
   * then go out as the peer reads them, and the log after that seq follows as a replay. Entries
   * committed meanwhile are in the log, so nothing is missed while the pages are on their way.
   */
  private snapshot(peer: Peer): void {
    const lastSeq = this.store.lastSeq();
    const alerts = this.store.listAlerts();
    const incidents = this.store.incidents.allJson();
    const pages = snapshotPages(
      lastSeq,
      alerts,
      this.opts.snapshotPages ?? SNAPSHOT_PAGE_BOUNDS,
      (id, bytes) => this.log(`stream: ${id} (${bytes} bytes) is too large for any frame; left out of the snapshot`),
      incidents,
    );
    let sent = 0;
    let bytes = 0;
    const next = (): void => {
      if (!this.peers.has(peer) || peer.closing) return;
      const r = pages.next();
      if (r.done) return;
      const page = r.value;
      this.sendText(peer, page.text);
      this.metrics.wsSnapshotPages += 1;
      sent += 1;
      bytes += page.bytes;
      if (page.last) {
        this.log(
          `stream: snapshot to ${who(peer)}: ${alerts.length} alerts, ${incidents.length} incidents at seq ${lastSeq} in ${sent} pages (${bytes} bytes)`,
        );
        this.sendSilences(peer);
        return this.replay(peer, lastSeq, true);
      }
      // Wait for the peer to read (socket drained) before building the next page.
      if (peer.ws.bufferedAmount > SNAPSHOT_MAX_UNSENT_BYTES) peer.socket.once('drain', next);
      else setImmediate(next);
    };
    next();
  }

  /** Sends the log after `after` a few pages per turn; the peer goes live once it reaches the head. */
  private replay(peer: Peer, after: number, silencesSent = false): void {
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
        // A resuming peer (no snapshot) gets the silences once it has caught up.
        if (!silencesSent) this.sendSilences(peer);
        return;
      }
      after = last.seq;
    }
    setImmediate(() => this.replay(peer, after, silencesSent));
  }

  private command(peer: Peer, user: string, frame: CommandFrame): void {
    const rotation = this.opts.rotation;
    const noRotation: CommandResult = { ok: false, error: 'this collector does not take rotation overrides' };
    const postmortems = this.opts.postmortems;
    const result: CommandResult = POSTMORTEM_KINDS.has(frame.kind)
      ? (postmortems?.apply(frame, user) ?? { ok: false, error: 'this collector does not take postmortem commands' })
      : frame.kind === 'override'
        ? (rotation?.apply(frame, user) ?? noRotation)
        : frame.kind === 'remove-override'
          ? (rotation?.remove(frame, user) ?? noRotation)
          : frame.kind === 'pulse'
            ? (this.opts.health?.pulse(frame, user) ?? { ok: false, error: 'this collector does not take pulses' })
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

  /** A postmortem or review mark changed: every connected desktop pulls them now. */
  postmortemsChanged(at: number): void {
    const text = JSON.stringify({ type: 'postmortems', changedAt: toIso(at) } satisfies ServerFrame);
    for (const peer of this.peers) if (peer.user !== undefined) this.sendText(peer, text);
  }

  private sendSilences(peer: Peer): void {
    const silences = this.opts.incidents?.silences();
    if (silences === undefined) return;
    this.send(peer, { type: 'silences', silences: [...silences] });
  }

  /** A silence was added, expired or dropped: every connected desktop replaces its copy. */
  private silencesChanged(silences: readonly Silence[]): void {
    const text = JSON.stringify({ type: 'silences', silences: [...silences] } satisfies ServerFrame);
    // To every peer past hello, live or not: the frame is the whole list, so order does not matter.
    for (const peer of this.peers) if (peer.user !== undefined) this.sendText(peer, text);
  }

  private fanOut(entries: readonly StreamEntry[]): void {
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
        this.log(`stream: ${who(peer)} silent for ${now - peer.lastSeen} ms; terminating`);
        this.drop(peer);
      }
    }
  }
}

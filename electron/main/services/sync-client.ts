import WebSocket from 'ws';
import { systemClock, toIso, type Clock } from '../../../shared/clock.js';
import type { SyncStatus, ConnectionState } from '../../../shared/protocol/api.js';
import type { Alert } from '../../../shared/protocol/alert.js';
import type { Incident } from '../../../shared/protocol/incident.js';
import {
  CLIENT_FRAME_BURST,
  CLIENT_FRAMES_PER_SECOND,
  MAX_SERVER_FRAME_BYTES,
  ServerFrame,
  type ClientFrame,
  type ResultFrame,
  type SilencesFrame,
  type SnapshotFrame,
  type WelcomeFrame,
} from '../../../shared/protocol/stream.js';
import { PROTOCOL_VERSION } from '../../../shared/protocol/version.js';
import { TokenBucket } from '../../../shared/rate/token-bucket.js';
import { logSafe } from '../../../shared/text/log-safe.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { Cache, LogFrame, ReplicaChange } from './cache/index.js';
import { Listeners, silentLogger, systemTimers, type Logger, type Timers } from './runtime.js';

export interface SyncClientOptions {
  /** The collector's base URL, e.g. http://127.0.0.1:4318 (ws:// and wss:// are accepted too). */
  collectorUrl: string;
  token: string;
  user: string;
  cache: Cache;
  clock?: Clock;
  timers?: Timers;
  /** Source of jitter for backoff; [0, 1). */
  random?: () => number;
  backoff?: Partial<BackoffOptions>;
  /** No frame for this long means the collector is gone (a sleeping laptop, a dead process). */
  heartbeatTimeoutMs?: number;
  /** How many pending commands there are; reported in the status. */
  pendingCommands?: () => number;
  log?: Logger;
  /** Reconnect delay after the collector refused us for good (`forbidden`, `protocol_mismatch`). */
  refusedRetryMs?: number;
  /** Least reconnect delay after a `rate_limited` close. */
  rateLimitedRetryMs?: number;
  /** After a `rate_limited` close, the backoff starts over only once a connection stayed up this long. */
  stableAfterMs?: number;
}

export const HEARTBEAT_TIMEOUT_MS = 30_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
/** One frame is one event or one snapshot page; the collector keeps both far below this. */
const MAX_FRAME_BYTES = MAX_SERVER_FRAME_BYTES;
/**
 * Commands leave at half the collector's per-connection frame rate (an outbox of hundreds
 * re-sent after a reconnect must not get the connection closed as a flood); the other half is
 * headroom for pongs and pings.
 */
const SEND_PER_SECOND = CLIENT_FRAMES_PER_SECOND / 2;
const SEND_BURST = CLIENT_FRAME_BURST / 2;
/** Bounds on gathering a replay's events into one cache transaction (see scheduleFlush). */
const FLUSH_MAX_EVENTS = 2000;
const FLUSH_MAX_DELAY_MS = 25;
/** Invalid frames are logged, but a flood of them must not flood the log. */
const MAX_INVALID_LOGS = 20;
/**
 * Error codes after which reconnecting at once cannot help: the token's user is not the one we
 * say hello as, or we speak another protocol version. Someone must change the setup; until
 * then we knock again only every REFUSED_RETRY_MS (the collector may be upgraded or
 * reconfigured meanwhile), not every few seconds.
 */
const REFUSED_CODES: ReadonlySet<string> = new Set(['forbidden', 'protocol_mismatch']);
export const REFUSED_RETRY_MS = 5 * 60_000;
/** A refusal's text as the status bar shows it (the collector's message, cut). */
const MAX_REFUSAL_CHARS = 300;
/** The time the collector's per-connection frame bucket needs to refill after a flood. */
export const RATE_LIMITED_RETRY_MS = Math.ceil((CLIENT_FRAME_BURST / CLIENT_FRAMES_PER_SECOND) * 1000);
/** A connection that stays up this long after a rate-limited close has proven it is paced. */
export const STABLE_CONNECTION_MS = 60_000;

/** `/v1/stream` on the collector, with the scheme swapped to ws(s). */
export function streamUrl(collectorUrl: string): string {
  const u = new URL(collectorUrl);
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/v1/stream`;
  u.search = '';
  u.hash = '';
  return u.toString();
}

/**
 * Keeps the local cache a replica of the collector's alert log. Resumes from the cache's
 * lastSeq after every reconnect, so nothing is missed and nothing is applied twice.
 */
export class SyncClient {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly log: Logger;
  private readonly backoff: BackoffOptions;
  private readonly heartbeatMs: number;
  private readonly statusListeners = new Listeners<SyncStatus>();
  private readonly alertListeners = new Listeners<string[]>();
  private readonly incidentListeners = new Listeners<string[]>();
  private readonly silencesListeners = new Listeners<number>();
  private readonly resultListeners = new Listeners<ResultFrame>();
  private readonly rotationListeners = new Listeners<string>();
  private readonly postmortemListeners = new Listeners<string>();
  private readonly readyListeners = new Listeners<void>();

  private ws: WebSocket | null = null;
  private ready = false;
  private started = false;
  private disposed = false;
  private attempt = 0;
  private state: ConnectionState = 'offline';
  private since: number;
  private offlineSince: number;
  private nextRetryAt: number | undefined;
  private retryTimer: unknown = null;
  private watchdog: unknown = null;
  private pinger: unknown = null;
  /** Log entries (alert and incident events, one seq space) waiting for the next flush. */
  private pendingEvents: LogFrame[] = [];
  private flushScheduled = false;
  /** Events received in total, and when the pending batch began: see scheduleFlush. */
  private received = 0;
  private batchStartedAt = 0;
  private invalidLogged = 0;
  private helloSentAt = 0;
  /** Snapshot pages received so far on this connection; applied together once the last one arrives. */
  private snapshot: { lastSeq: number; nextPage: number; alerts: Alert[]; incidents: Incident[] } | null = null;
  /** Frames accepted by send() and not yet written, paced by `sendBucket`; per connection. */
  private outgoing: string[] = [];
  private sendBucket: TokenBucket | null = null;
  private sendTimer: unknown = null;
  /** The reason the collector gave (error frame) on this connection for closing it, if it is one we pace by. */
  private closeCode: string | undefined;
  /** Closed for `rate_limited` and not yet connected long enough since: the backoff keeps growing. */
  private throttled = false;
  private connectedAt = 0;
  /** Why the collector refuses this desktop, shown in the status until a welcome. */
  private refusal: { code: string; message: string } | undefined;
  /** The refusal last logged (logged once, not on every retry). */
  private refusalLogged: string | undefined;

  constructor(private readonly opts: SyncClientOptions) {
    this.clock = opts.clock ?? systemClock;
    this.timers = opts.timers ?? systemTimers;
    this.log = opts.log ?? silentLogger;
    this.backoff = { ...DEFAULT_BACKOFF, ...opts.backoff };
    this.heartbeatMs = opts.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS;
    this.since = this.clock.now();
    this.offlineSince = this.since;
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.connect();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearTimer('retryTimer');
    this.clearTimer('sendTimer');
    this.stopHeartbeat();
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => {}); // a late socket error after dispose is expected, not a crash
      ws.terminate();
    }
    this.setState('offline');
    this.statusListeners.clear();
    this.alertListeners.clear();
    this.incidentListeners.clear();
    this.silencesListeners.clear();
    this.resultListeners.clear();
    this.rotationListeners.clear();
    this.postmortemListeners.clear();
    this.readyListeners.clear();
  }

  /** True once the collector welcomed us: commands sent now will be answered on this socket. */
  isReady(): boolean {
    return this.ready;
  }

  /**
   * Takes one frame for sending if the stream is up; false means "keep it queued". Frames leave
   * in order at SEND_PER_SECOND; ones still waiting when the connection drops are discarded,
   * so the caller re-sends what went unanswered after the next welcome (the outbox does).
   */
  send(frame: ClientFrame): boolean {
    if (!this.ready || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.outgoing.push(JSON.stringify(frame));
    this.pumpOutgoing();
    return true;
  }

  private pumpOutgoing(): void {
    if (this.sendTimer !== null) return; // a wait is already scheduled
    const ws = this.ws;
    const bucket = this.sendBucket;
    if (!ws || !bucket || ws.readyState !== WebSocket.OPEN) return;
    let text: string | undefined;
    while ((text = this.outgoing[0]) !== undefined) {
      // Monotonic, like the collector's bucket: pacing is about real elapsed time, not the (injectable) wall clock.
      const now = performance.now();
      if (!bucket.take(now)) {
        this.sendTimer = this.timers.setTimeout(
          () => {
            this.sendTimer = null;
            this.pumpOutgoing();
          },
          Math.max(1, bucket.waitMs(now)),
        );
        return;
      }
      this.outgoing.shift();
      ws.send(text);
    }
  }

  private resetOutgoing(): void {
    this.clearTimer('sendTimer');
    this.outgoing = [];
    this.sendBucket = new TokenBucket(SEND_PER_SECOND, SEND_BURST, performance.now());
  }

  status(): SyncStatus {
    const s = this.opts.cache.syncState();
    return {
      state: this.state,
      user: this.opts.user,
      collectorUrl: this.opts.collectorUrl,
      lastSeq: s.lastSeq,
      // Connecting is a phase of being offline: "offline since" keeps counting through attempts.
      since: toIso(this.state === 'connected' ? this.since : this.offlineSince),
      ...(this.state !== 'connected' && this.nextRetryAt !== undefined ? { nextRetryAt: toIso(this.nextRetryAt) } : {}),
      serverOffsetMs: s.serverOffsetMs,
      ...(s.lastSyncAt ? { lastSyncAt: s.lastSyncAt } : {}),
      pendingCommands: this.opts.pendingCommands?.() ?? 0,
      ...(this.refusal ? { refusal: this.refusal } : {}),
    };
  }

  onStatus(listener: (status: SyncStatus) => void): () => void {
    return this.statusListeners.on(listener);
  }
  onAlertsChanged(listener: (alertIds: string[]) => void): () => void {
    return this.alertListeners.on(listener);
  }
  /** Incidents changed in the cache; an empty list means "anything may have changed". */
  onIncidentsChanged(listener: (incidentIds: string[]) => void): () => void {
    return this.incidentListeners.on(listener);
  }
  /** The collector's silences list replaced the cached one (`count` silences). */
  onSilencesChanged(listener: (count: number) => void): () => void {
    return this.silencesListeners.on(listener);
  }
  onResult(listener: (frame: ResultFrame) => void): () => void {
    return this.resultListeners.on(listener);
  }
  /** The collector says the rotation changed (an override was applied somewhere). */
  onRotationChanged(listener: (changedAt: string) => void): () => void {
    return this.rotationListeners.on(listener);
  }
  /** The collector says a postmortem or review mark changed (issue 15). */
  onPostmortemsChanged(listener: (changedAt: string) => void): () => void {
    return this.postmortemListeners.on(listener);
  }
  /** After each welcome: the moment to (re)send unanswered commands. */
  onReady(listener: () => void): () => void {
    return this.readyListeners.on(listener);
  }

  /** Re-announces the status (e.g. the outbox's pending count moved). */
  refreshStatus(): void {
    this.statusListeners.emit(this.status(), this.log);
  }

  // ---- connection lifecycle ----

  private connect(): void {
    if (this.disposed) return;
    this.retryTimer = null;
    this.nextRetryAt = undefined;
    this.setState('connecting');
    this.resetOutgoing();
    this.snapshot = null;
    this.closeCode = undefined;
    const ws = new WebSocket(streamUrl(this.opts.collectorUrl), {
      headers: { Authorization: `Bearer ${this.opts.token}` },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      maxPayload: MAX_FRAME_BYTES,
    });
    this.ws = ws;
    this.armWatchdog();
    ws.on('open', () => {
      const hello: ClientFrame = {
        type: 'hello',
        user: this.opts.user,
        lastSeq: this.opts.cache.syncState().lastSeq,
        protocol: PROTOCOL_VERSION,
      };
      this.helloSentAt = this.clock.now();
      ws.send(JSON.stringify(hello));
      this.startPinger(ws);
    });
    ws.on('message', (data, isBinary) => {
      if (ws !== this.ws) return;
      this.armWatchdog();
      this.onMessage(isBinary ? null : rawToString(data));
    });
    // Transport-level heartbeats also prove the collector is alive.
    ws.on('ping', () => ws === this.ws && this.armWatchdog());
    ws.on('pong', () => ws === this.ws && this.armWatchdog());
    ws.on('error', (err) => this.log.warn(`sync: ${err.message}`));
    ws.on('close', () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.onDisconnected();
    });
  }

  private onDisconnected(): void {
    this.flushEvents();
    // Pages of an unfinished snapshot are dropped: the replica keeps its state until a whole one arrives.
    if (this.snapshot !== null) this.log.warn(`sync: connection lost during a snapshot; the replica keeps its state`);
    this.snapshot = null;
    this.resetOutgoing();
    const wasReady = this.ready;
    this.ready = false;
    this.stopHeartbeat();
    if (this.disposed) return;
    if (wasReady || this.state === 'connected') this.offlineSince = this.clock.now();
    const delay = this.reconnectDelay(wasReady);
    this.nextRetryAt = this.clock.now() + delay;
    this.retryTimer = this.timers.setTimeout(() => this.connect(), delay);
    this.setState('offline');
  }

  /**
   * The wait before the next attempt: exponential backoff, which a welcome resets, except that
   * a collector that closed us for a flood (`rate_limited`) is not hammered at the minimum delay:
   * the backoff keeps growing (at least RATE_LIMITED_RETRY_MS) until a connection stays up
   * STABLE_CONNECTION_MS. A refusal (`forbidden`, `protocol_mismatch`) waits REFUSED_RETRY_MS.
   */
  private reconnectDelay(wasReady: boolean): number {
    const code = this.closeCode;
    this.closeCode = undefined;
    const now = this.clock.now();
    if (code === 'rate_limited') {
      this.throttled = true;
    } else if (
      this.throttled &&
      wasReady &&
      now - this.connectedAt >= (this.opts.stableAfterMs ?? STABLE_CONNECTION_MS)
    ) {
      this.throttled = false;
      this.attempt = 0;
    }
    let delay = backoffDelay(this.attempt, this.backoff, this.opts.random);
    this.attempt += 1;
    if (code === 'rate_limited') delay = Math.max(delay, this.opts.rateLimitedRetryMs ?? RATE_LIMITED_RETRY_MS);
    if (code !== undefined && REFUSED_CODES.has(code)) delay = this.opts.refusedRetryMs ?? REFUSED_RETRY_MS;
    return delay;
  }

  /** An error frame: remembered when it explains a close we pace by; a refusal is logged once, clearly. */
  private onErrorFrame(code: string, message: string): void {
    if (code === 'rate_limited') this.closeCode = code;
    // The collector's text, like any peer's, is escaped before it reaches our log.
    const what = `${logSafe(code)}: ${logSafe(message)}`;
    if (!REFUSED_CODES.has(code)) {
      this.log.warn(`sync: collector error ${what}`);
      return;
    }
    this.closeCode = code;
    this.refusal = { code, message: message.slice(0, MAX_REFUSAL_CHARS) };
    if (this.refusalLogged === what) return;
    this.refusalLogged = what;
    const fix =
      code === 'forbidden'
        ? `this token may not say hello as "${logSafe(this.opts.user)}": use your own token, or the user name it was minted for`
        : 'this desktop and the collector speak different protocol versions: upgrade the older one';
    const every = Math.round((this.opts.refusedRetryMs ?? REFUSED_RETRY_MS) / 1000);
    this.log.error(
      `sync: the collector at ${this.opts.collectorUrl} refused this desktop (${what}); ${fix}. Retrying every ${every} s`,
    );
  }

  /** Drops the socket; the close handler schedules the reconnect. */
  private dropConnection(reason: string, immediate = false): void {
    const ws = this.ws;
    if (!ws) return;
    this.log.warn(`sync: dropping connection: ${reason}`);
    if (immediate) this.attempt = 0;
    ws.terminate();
  }

  private armWatchdog(): void {
    this.clearTimer('watchdog');
    this.watchdog = this.timers.setTimeout(() => {
      this.watchdog = null;
      this.dropConnection(`no frame for ${this.heartbeatMs} ms`);
    }, this.heartbeatMs);
  }

  /** Our own transport pings make the watchdog work even against a collector that pings rarely. */
  private startPinger(ws: WebSocket): void {
    const tick = (): void => {
      if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
      ws.ping();
      this.pinger = this.timers.setTimeout(tick, Math.max(1000, Math.floor(this.heartbeatMs / 3)));
    };
    this.clearTimer('pinger');
    this.pinger = this.timers.setTimeout(tick, Math.max(1000, Math.floor(this.heartbeatMs / 3)));
  }

  private stopHeartbeat(): void {
    this.clearTimer('watchdog');
    this.clearTimer('pinger');
  }

  private clearTimer(name: 'retryTimer' | 'watchdog' | 'pinger' | 'sendTimer'): void {
    const t = this[name];
    if (t !== null) this.timers.clearTimeout(t);
    this[name] = null;
  }

  private setState(state: ConnectionState): void {
    if (state !== this.state) {
      this.state = state;
      this.since = this.clock.now();
    }
    this.statusListeners.emit(this.status(), this.log);
  }

  // ---- frames ----

  private onMessage(text: string | null): void {
    let json: unknown;
    try {
      json = text === null ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = ServerFrame.safeParse(json);
    if (!parsed.success) {
      if (this.invalidLogged < MAX_INVALID_LOGS) {
        this.invalidLogged += 1;
        const issue = parsed.error.issues[0];
        this.log.warn(
          `sync: ignoring invalid frame (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'not JSON'})`,
        );
      }
      return;
    }
    const frame = parsed.data;
    if ((frame.type === 'event' || frame.type === 'incident') && this.snapshot !== null) {
      // The collector sends the log after a snapshot's last page, never between its pages.
      this.dropConnection(`${frame.type} ${frame.seq} inside snapshot ${this.snapshot.lastSeq}`);
      return;
    }
    if (frame.type === 'event' || frame.type === 'incident') {
      // Log entries arriving together (a replay) are applied in one transaction, in seq order.
      this.pendingEvents.push(frame);
      this.scheduleFlush();
      return;
    }
    // Anything else is ordered after the events that came before it.
    this.flushEvents();
    try {
      switch (frame.type) {
        case 'welcome':
          return this.onWelcome(frame);
        case 'snapshot':
          return this.onSnapshot(frame);
        case 'silences':
          return this.onSilences(frame);
        case 'result':
          return this.resultListeners.emit(frame, this.log);
        case 'ping':
          this.ws?.send(JSON.stringify({ type: 'pong', t: frame.t } satisfies ClientFrame));
          return;
        case 'rotation':
          return this.rotationListeners.emit(frame.changedAt, this.log);
        case 'postmortems':
          return this.postmortemListeners.emit(frame.changedAt, this.log);
        case 'error':
          return this.onErrorFrame(frame.code, frame.message);
      }
    } catch (err) {
      // A failing cache write must not kill the process; reconnecting replays from lastSeq.
      this.log.error(`sync: could not apply ${frame.type}: ${String(err)}`);
      this.dropConnection('apply failed');
    }
  }

  private onWelcome(frame: WelcomeFrame): void {
    const { cache } = this.opts;
    this.refusal = undefined;
    if (frame.protocol !== PROTOCOL_VERSION) {
      this.log.warn(`sync: collector speaks protocol ${frame.protocol}, we speak ${PROTOCOL_VERSION}`);
    }
    // The collector read its clock about half a round trip before the welcome arrived.
    cache.setServerOffset(Math.round(frame.serverTime - (this.helloSentAt + this.clock.now()) / 2));
    if (frame.lastSeq < cache.syncState().lastSeq) {
      // The collector's log is behind our replica: it was reset. Start over from 0.
      this.log.warn(`sync: collector lastSeq ${frame.lastSeq} < ours ${cache.syncState().lastSeq}; resetting cache`);
      cache.resetReplica();
      this.emitChanged({ alerts: [], incidents: [] }, true);
      this.silencesListeners.emit(0, this.log);
      this.dropConnection('collector log was reset', true);
      return;
    }
    cache.touchSync(toIso(this.clock.now()));
    // After a rate-limited close the backoff starts over only once this connection proves stable.
    if (this.throttled) this.connectedAt = this.clock.now();
    else this.attempt = 0;
    this.refusalLogged = undefined;
    this.ready = true;
    this.setState('connected');
    this.readyListeners.emit(undefined, this.log);
  }

  /**
   * Gathers a snapshot's pages (in memory: the replica must not hold half of one) and applies
   * them in one cache transaction when the last arrives.
   */
  private onSnapshot(frame: SnapshotFrame): void {
    const pending = this.snapshot;
    if (frame.page === 0) {
      this.snapshot = { lastSeq: frame.lastSeq, nextPage: 0, alerts: [], incidents: [] };
    } else if (pending === null || pending.lastSeq !== frame.lastSeq || pending.nextPage !== frame.page) {
      this.snapshot = null;
      this.dropConnection(
        `snapshot page ${frame.page} at seq ${frame.lastSeq} out of order` +
          (pending ? ` (expected page ${pending.nextPage} at seq ${pending.lastSeq})` : ''),
      );
      return;
    }
    const snap = this.snapshot;
    if (snap === null) return;
    for (const a of frame.alerts) snap.alerts.push(a);
    for (const i of frame.incidents) snap.incidents.push(i);
    snap.nextPage += 1;
    if (!frame.last) return;
    this.snapshot = null;
    const changed = this.opts.cache.applySnapshot(snap, toIso(this.clock.now()));
    this.log.info(
      `sync: applied a snapshot of ${snap.alerts.length} alerts and ${snap.incidents.length} incidents at seq ${snap.lastSeq} (${snap.nextPage} pages)`,
    );
    this.emitChanged(changed, true);
    this.refreshStatus();
  }

  /** The collector's whole silences list: the cached copy is replaced. */
  private onSilences(frame: SilencesFrame): void {
    this.opts.cache.replaceSilences(frame.silences, this.clock.now());
    this.silencesListeners.emit(frame.silences.length, this.log);
  }

  /**
   * Tells listeners what a write changed. After a snapshot or a reset (`always`) alert listeners
   * hear even an empty list: an empty list means "anything may have changed".
   */
  private emitChanged(changed: ReplicaChange, always: boolean): void {
    if (always || changed.alerts.length > 0) this.alertListeners.emit(changed.alerts, this.log);
    if (always || changed.incidents.length > 0) this.incidentListeners.emit(changed.incidents, this.log);
  }

  /**
   * A live event is applied on the next turn of the event loop. While more keep arriving (a
   * replay), they are gathered for up to FLUSH_MAX_DELAY_MS or FLUSH_MAX_EVENTS into one
   * transaction: one commit per thousand events instead of one per socket read.
   */
  private scheduleFlush(): void {
    this.received += 1;
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    this.batchStartedAt = performance.now();
    let seen = this.received;
    const check = (): void => {
      if (!this.flushScheduled) return; // flushed meanwhile (another frame type came)
      const more = this.received !== seen;
      seen = this.received;
      if (
        more &&
        this.pendingEvents.length < FLUSH_MAX_EVENTS &&
        performance.now() - this.batchStartedAt < FLUSH_MAX_DELAY_MS
      ) {
        setImmediate(check);
        return;
      }
      this.flushEvents();
    };
    setImmediate(check);
  }

  private flushEvents(): void {
    this.flushScheduled = false;
    if (this.pendingEvents.length === 0 || this.disposed) {
      this.pendingEvents = [];
      return;
    }
    const batch = this.pendingEvents;
    this.pendingEvents = [];
    try {
      const changed = this.opts.cache.applyEvents(batch, toIso(this.clock.now()));
      this.emitChanged(changed, false);
      this.refreshStatus();
    } catch (err) {
      this.log.error(`sync: could not apply events: ${String(err)}`);
      this.dropConnection('apply failed');
    }
  }
}

function rawToString(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { CollectorConfig } from '../../shared/config/collector-config.js';
import { AlertService } from './alerts/alert-service.js';
import { createHandler } from './http/routes.js';
import { IngestPipeline } from './ingest/ingest-pipeline.js';
import { Metrics } from './metrics.js';
import { RollupCache } from './rollup/rollup-cache.js';
import { RuleRuntime } from './rules/rule-runtime.js';
import { openStore } from './store/sqlite-store.js';
import type { CollectorStore } from './store/store.js';
import { StreamHub } from './stream/stream-hub.js';

export interface CollectorOptions {
  dataDir: string;
  host: string;
  port: number;
  token: string;
  config: CollectorConfig;
  clock: Clock;
  log: (msg: string) => void;
}

/** The whole collector in one disposable object: SQLite store, HTTP server, ws hub. */
export class Collector {
  private store: CollectorStore | undefined;
  private server: Server | undefined;
  private hub: StreamHub | undefined;
  private readonly sockets = new Set<Socket>();
  readonly metrics = new Metrics();

  constructor(private readonly opts: CollectorOptions) {}

  /** Opens the database, catches rules up to the stored watermark, listens. Resolves with the real port. */
  async start(): Promise<{ port: number }> {
    const { opts } = this;
    const store = openStore(join(opts.dataDir, 'collector.db'), opts.clock.now());
    this.store = store;
    const alerts = new AlertService(store, opts.clock, opts.config.defaults.actor);
    const rules = new RuleRuntime(store, alerts, this.metrics, opts.config.rules);
    const ingest = new IngestPipeline(store, new RollupCache(store), rules, this.metrics, opts.clock, opts.log);
    const hub = new StreamHub(
      { token: opts.token, heartbeatMs: opts.config.stream.heartbeat, deadAfterMs: opts.config.stream.deadAfter },
      store,
      alerts,
      this.metrics,
      opts.clock,
    );
    this.hub = hub;
    // A crash between an ingest commit and its rule evaluation leaves minutes unevaluated; do them now.
    rules.run(new Map());

    const server = createServer(
      createHandler({
        token: opts.token,
        store,
        ingest,
        metrics: this.metrics,
        maxBodyBytes: opts.config.ingest.maxBodyBytes,
        maxBatchEvents: opts.config.ingest.maxBatchEvents,
        log: opts.log,
      }),
    );
    this.server = server;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    });
    hub.start();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    return { port: typeof addr === 'object' && addr ? addr.port : opts.port };
  }

  async dispose(): Promise<void> {
    await this.hub?.dispose();
    this.hub = undefined;
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then the connections go.
      const timer = setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, 2_000);
      await closed;
      clearTimeout(timer);
    }
    this.store?.close();
    this.store = undefined;
  }
}

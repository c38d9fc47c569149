import type { IncomingMessage } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Alert } from '../../shared/protocol/alert.js';
import type { Incident } from '../../shared/protocol/incident.js';
import { ClientFrame, type ServerFrame } from '../../shared/protocol/stream.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';

/**
 * A scripted stand-in for the collector's /v1/stream, for what a real collector won't do on
 * demand: send garbage, go silent, forget a result, or lose its log.
 */
export class FakeCollector {
  readonly wss: WebSocketServer;
  readonly received: ClientFrame[] = [];
  readonly auth: (string | undefined)[] = [];
  connections = 0;
  onFrame: (ws: WebSocket, frame: ClientFrame, connection: number) => void = () => {};

  constructor(port = 0) {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port, autoPong: false });
    this.wss.on('connection', (ws: WebSocket, req: IncomingMessage) => {
      const n = ++this.connections;
      this.auth.push(req.headers.authorization);
      ws.on('message', (data) => {
        const frame = ClientFrame.parse(JSON.parse(data.toString()));
        this.received.push(frame);
        this.onFrame(ws, frame, n);
      });
    });
  }
  async ready(): Promise<string> {
    await new Promise<void>((r) => (this.wss.address() ? r() : this.wss.once('listening', () => r())));
    const addr = this.wss.address();
    return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }
  close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    return new Promise((r) => this.wss.close(() => r()));
  }
}

export const send = (ws: WebSocket, frame: ServerFrame | unknown): void => ws.send(JSON.stringify(frame));
export const welcome = (lastSeq: number): ServerFrame => ({
  type: 'welcome',
  protocol: PROTOCOL_VERSION,
  serverTime: 1_000_000,
  lastSeq,
});
export const alert = (id: string, patch: Partial<Alert> = {}): Alert => ({
  id,
  ruleId: 'error-rate',
  tier: 'page',
  status: 'firing',
  source: 'rules',
  summary: 'errors above 5%',
  labels: { service: 'chat' },
  firedAt: '2026-01-05T09:00:00.000Z',
  ...patch,
});
export const event = (seq: number, a: Alert): ServerFrame => ({
  type: 'event',
  seq,
  at: '2026-01-05T09:00:00.000Z',
  alertId: a.id,
  kind: 'fired',
  alert: a,
});

export const incident = (id: string, patch: Partial<Incident> = {}): Incident => ({
  id,
  key: '{service="chat"}',
  tier: 'page',
  status: 'firing',
  title: 'chat errors',
  alertIds: [],
  firedAt: '2026-01-05T09:00:00.000Z',
  ...patch,
});
export const incidentFrame = (
  seq: number,
  i: Incident,
  kind: 'fired' | 'updated' | 'notified' | 'acknowledged' = 'updated',
): ServerFrame => ({
  type: 'incident',
  seq,
  at: '2026-01-05T09:00:00.000Z',
  incidentId: i.id,
  kind,
  incident: i,
});

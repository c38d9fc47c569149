import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAppServices, type AppServices } from '../../electron/main/services/index.js';
import { silentLogger } from '../../electron/main/services/runtime.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { alert, event, FakeCollector, send, welcome } from './sync-fake-collector.js';

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('SyncClient against a scripted server', () => {
  let fake: FakeCollector;
  let dir: string;
  let app: AppServices;
  let url: string;

  const startApp = (heartbeatTimeoutMs = 30_000): AppServices => {
    app = createAppServices({
      collectorUrl: url,
      collectorToken: 'tok-123',
      user: 'ana',
      dataDir: dir,
      log: silentLogger,
      sync: { backoff: { baseMs: 50, capMs: 200 }, heartbeatTimeoutMs },
    });
    app.start();
    return app;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sync-'));
    fake = new FakeCollector();
    url = await fake.ready();
  });
  afterEach(async () => {
    app?.dispose();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says hello with the bearer token, then ignores invalid frames without crashing', async () => {
    fake.onFrame = (ws, frame) => {
      if (frame.type !== 'hello') return;
      ws.send('not json at all');
      ws.send(Buffer.from([0, 1, 2]), { binary: true });
      send(ws, { type: 'bogus' });
      send(ws, { type: 'event', seq: -1, alert: {} });
      send(ws, { ...event(1, alert('a')), alert: { ...alert('a'), status: 'on fire' } });
      send(ws, welcome(0));
      send(ws, event(1, alert('a1')));
      send(ws, 42);
      send(ws, null);
      send(ws, event(2, alert('a2')));
    };
    startApp();
    await until(() => app.cache.syncState().lastSeq === 2);
    expect(fake.auth[0]).toBe('Bearer tok-123');
    expect(fake.received[0]).toEqual({ type: 'hello', user: 'ana', lastSeq: 0, protocol: PROTOCOL_VERSION });
    expect(
      app.cache
        .listAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['a1', 'a2']);
    expect(app.sync.status().state).toBe('connected');
    expect(fake.connections).toBe(1);
  });

  it('answers ping with pong and records the server clock offset', async () => {
    fake.onFrame = (ws, frame) => {
      if (frame.type === 'hello') {
        send(ws, welcome(0));
        send(ws, { type: 'ping', t: 777 });
      }
    };
    startApp();
    await until(() => fake.received.some((f) => f.type === 'pong'));
    expect(fake.received.find((f) => f.type === 'pong')).toEqual({ type: 'pong', t: 777 });
    expect(Math.abs(app.sync.status().serverOffsetMs)).toBeGreaterThan(0);
  });

  it('resumes from lastSeq and re-sends an unanswered command with the same id', async () => {
    fake.onFrame = (ws, frame, n) => {
      if (frame.type === 'hello') {
        send(ws, welcome(1));
        if (frame.lastSeq < 1) send(ws, event(1, alert('a1')));
      }
      // First connection: swallow the command and die, as a collector killed mid-request would.
      if (frame.type === 'command' && n === 1) ws.terminate();
      if (frame.type === 'command' && n > 1) send(ws, { type: 'result', id: frame.id, ok: true });
    };
    startApp();
    await until(() => app.cache.syncState().lastSeq === 1);
    const reply = await app.api.handle({ method: 'alerts.command', params: { kind: 'ack', alertId: 'a1' } });
    expect(reply.ok).toBe(true);
    const id = reply.ok ? (reply.result as { commandId: string }).commandId : '';
    await until(() => app.cache.outbox().some((i) => i.id === id && i.state === 'applied'));
    const commands = fake.received.filter((f) => f.type === 'command');
    expect(commands.map((c) => c.type === 'command' && c.id)).toEqual([id, id]);
    const hellos = fake.received.filter((f) => f.type === 'hello');
    expect(hellos.map((h) => h.type === 'hello' && h.lastSeq)).toEqual([0, 1]);
    expect(app.cache.pendingCount()).toBe(0);
  });

  it('reconnects when the collector goes silent past the heartbeat timeout', async () => {
    fake.onFrame = (ws, frame) => {
      if (frame.type === 'hello') send(ws, welcome(0)); // then nothing, not even pongs
    };
    startApp(400);
    await until(() => fake.connections >= 2, 5000);
    const status = app.sync.status();
    expect(['connected', 'connecting', 'offline']).toContain(status.state);
  });

  it('reports offline with the next retry while the collector is down', async () => {
    await fake.close();
    startApp();
    await until(() => app.sync.status().state === 'offline');
    const s = app.sync.status();
    expect(s.nextRetryAt).toBeDefined();
    expect(Date.parse(s.nextRetryAt ?? '')).toBeGreaterThanOrEqual(Date.parse(s.since));
  });

  it('starts over from seq 0 when the collector lost its log', async () => {
    fake.onFrame = (ws, frame, n) => {
      if (frame.type !== 'hello') return;
      if (n === 1) {
        send(ws, welcome(5));
        send(ws, event(5, alert('old')));
      } else if (n === 2) {
        // A new collector behind the same URL: its log only reaches seq 2.
        send(ws, welcome(2));
      } else {
        send(ws, welcome(2));
        send(ws, event(1, alert('n1')));
        send(ws, event(2, alert('n2')));
      }
    };
    startApp();
    await until(() => app.cache.syncState().lastSeq === 5);
    for (const c of fake.wss.clients) c.terminate();
    await until(() => app.cache.syncState().lastSeq === 2 && app.cache.listAlerts().length === 2);
    expect(
      app.cache
        .listAlerts()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['n1', 'n2']);
    expect(fake.received.filter((f) => f.type === 'hello').map((h) => h.type === 'hello' && h.lastSeq)).toEqual([
      0, 5, 0,
    ]);
  });
});

/**
 * Review of issue 11, findings 15 and 14: how the real SyncClient paces reconnects after the
 * collector closed it with a reason. A `rate_limited` close must not be followed by a reconnect
 * at the minimum delay (the welcome used to reset the backoff); a refusal (`forbidden`,
 * `protocol_mismatch`) waits a long delay and is logged once, clearly, not on every retry.
 */
describe('SyncClient reconnect pacing after the collector closed it with a reason', () => {
  let fake: FakeCollector;
  let dir: string;
  let app: AppServices | undefined;
  const connectedAt: number[] = [];
  const errors: string[] = [];

  const startPaced = async (sync: Parameters<typeof createAppServices>[0]['sync']): Promise<AppServices> => {
    const url = await fake.ready();
    app = createAppServices({
      collectorUrl: url,
      collectorToken: 'tok-123',
      user: 'ana',
      dataDir: dir,
      log: { ...silentLogger, error: (m) => errors.push(m) },
      sync: { backoff: { baseMs: 50, capMs: 200 }, ...sync },
    });
    app.start();
    return app;
  };
  const gaps = (): number[] => connectedAt.slice(1).map((t, i) => t - (connectedAt[i] as number));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-sync-pace-'));
    fake = new FakeCollector();
    connectedAt.length = 0;
    errors.length = 0;
    fake.wss.on('connection', () => connectedAt.push(performance.now()));
  });
  afterEach(async () => {
    app?.dispose();
    app = undefined;
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('after a rate_limited close it waits at least rateLimitedRetryMs, though the welcome came first', async () => {
    fake.onFrame = (ws, frame) => {
      if (frame.type !== 'hello') return;
      send(ws, welcome(0));
      // As the collector's frame bucket does: tell why, then close with 1008.
      send(ws, { type: 'error', code: 'rate_limited', message: 'more than 50 frames/s (burst 200)' });
      ws.close(1008, 'rate limited');
    };
    await startPaced({ rateLimitedRetryMs: 800 });
    await until(() => fake.connections >= 3, 10_000);
    // Before the fix: the welcome reset the backoff, so each reconnect came after 25-50 ms.
    for (const g of gaps()) expect(g).toBeGreaterThanOrEqual(700);
  });

  it('a connection that stays up long enough after a rate limit starts the backoff over', async () => {
    let n = 0;
    fake.onFrame = (ws, frame) => {
      if (frame.type !== 'hello') return;
      n += 1;
      send(ws, welcome(0));
      if (n === 1) {
        send(ws, { type: 'error', code: 'rate_limited', message: 'slow down' });
        ws.close(1008, 'rate limited');
      } else if (n === 2) {
        // Connected, and stays up past stableAfterMs; then the collector goes away (a restart).
        setTimeout(() => ws.terminate(), 600);
      }
    };
    await startPaced({ rateLimitedRetryMs: 800, stableAfterMs: 300 });
    await until(() => fake.connections >= 3, 10_000);
    const [afterRateLimit, afterRestart] = gaps();
    expect(afterRateLimit).toBeGreaterThanOrEqual(700);
    // 600 ms connected, then the minimum backoff again (25-50 ms), not the grown one.
    expect((afterRestart ?? 0) - 600).toBeLessThan(500);
  });

  it('a refusal (forbidden, protocol_mismatch) waits refusedRetryMs and is logged once per reason', async () => {
    fake.onFrame = (ws, frame, n) => {
      if (frame.type !== 'hello') return;
      if (n <= 2) send(ws, { type: 'error', code: 'forbidden', message: 'this token belongs to "bob"' });
      else send(ws, { type: 'error', code: 'protocol_mismatch', message: 'collector speaks protocol 99, client 4' });
      ws.close(1008, 'refused');
    };
    const a = await startPaced({ refusedRetryMs: 700 });
    await until(() => fake.connections >= 2, 10_000);
    await until(() => a.sync.status().state === 'offline' && a.sync.status().nextRetryAt !== undefined, 5000);
    const s = a.sync.status();
    expect(Date.parse(s.nextRetryAt ?? '') - Date.now()).toBeGreaterThan(300);
    // The status says why it is offline, for the status bar.
    expect(s.refusal).toEqual({ code: 'forbidden', message: 'this token belongs to "bob"' });
    await until(() => fake.connections >= 4, 10_000);
    for (const g of gaps()) expect(g).toBeGreaterThanOrEqual(600);
    await until(() => errors.length >= 2, 5000);
    const refusals = errors.filter((e) => e.includes('refused this desktop'));
    // Two forbidden, then protocol_mismatch: one line per reason, naming the user and the fix.
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toContain('forbidden: this token belongs to "bob"');
    expect(refusals[0]).toContain('"ana"');
    expect(refusals[1]).toContain('protocol_mismatch');
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { Desktops, metric, until, untilAsync } from './sync-helpers.js';

/**
 * Dead peers on both sides, with real processes frozen by SIGSTOP: the kernel keeps their TCP
 * connections open and ACKs them, so only heartbeats can tell.
 */
const ROOT = resolve(import.meta.dirname, '../..');
let collector: CollectorHandle | undefined;
const children: ChildProcess[] = [];
const desktops = new Desktops();

afterEach(async () => {
  desktops.disposeAll();
  for (const c of children.splice(0)) {
    c.kill('SIGCONT');
    c.kill('SIGKILL');
  }
  if (collector?.pid !== undefined) process.kill(collector.pid, 'SIGCONT');
  await collector?.stop();
  collector = undefined;
});

/** A separate process holding one stream connection that answers pings, until frozen. */
async function streamPeer(c: CollectorHandle): Promise<ChildProcess> {
  const script = `
    import WebSocket from 'ws';
    const ws = new WebSocket(process.env.URL, { headers: { authorization: 'Bearer ' + process.env.TOKEN } });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', user: 'frozen', lastSeq: 0, protocol: ${PROTOCOL_VERSION} })));
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      if (f.type === 'welcome') process.stdout.write('ready\\n');
      if (f.type === 'ping') ws.send(JSON.stringify({ type: 'pong', t: f.t }));
    });
    ws.on('close', () => process.exit(0));
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, URL: `${c.url.replace(/^http/, 'ws')}/v1/stream`, TOKEN: c.token },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((done, fail) => {
    child.stdout?.once('data', () => done());
    child.once('exit', (code) => fail(new Error(`peer exited early (${code})`)));
  });
  return child;
}

describe('heartbeats', () => {
  it('defaults detect a dead peer within 30 s on both sides', async () => {
    const { stream } = defaultCollectorConfig();
    expect(stream.deadAfter).toBeLessThanOrEqual(30_000);
    expect(stream.heartbeat).toBeLessThan(stream.deadAfter);
    const { HEARTBEAT_TIMEOUT_MS } = await import('../../electron/main/services/sync-client.js');
    expect(HEARTBEAT_TIMEOUT_MS).toBeLessThanOrEqual(30_000);
  });

  it('the collector terminates a frozen (SIGSTOP) peer within deadAfter and keeps a live one', async () => {
    collector = await startCollector({ configYaml: 'stream:\n  heartbeat: 200ms\n  deadAfter: 1500ms\n' });
    const c = collector;
    const live = await streamPeer(c);
    const frozen = await streamPeer(c);
    await untilAsync(async () => (await metric(c, 'vigil_ws_clients')) === 2, 5000, 'two peers');

    frozen.kill('SIGSTOP');
    const stoppedAt = performance.now();
    await untilAsync(async () => (await metric(c, 'vigil_ws_clients')) === 1, 5000, 'the frozen peer to be dropped');
    const detectedMs = performance.now() - stoppedAt;
    expect(detectedMs).toBeLessThanOrEqual(1500 + 300);
    expect(c.output()).toMatch(/peer \d+ \(frozen\) silent for \d+ ms; terminating/);

    // The live peer answers pings and stays, well past deadAfter.
    await new Promise((r) => setTimeout(r, 2000));
    expect(await metric(c, 'vigil_ws_clients')).toBe(1);
    expect(live.exitCode).toBeNull();
  });

  it('a desktop notices a frozen collector within its heartbeat timeout and resumes when it thaws', async () => {
    collector = await startCollector();
    const c = collector;
    const app = desktops.open(c, 'ana', { sync: { backoff: { baseMs: 100, capMs: 300 }, heartbeatTimeoutMs: 1000 } });
    await until(() => app.sync.status().state === 'connected', 10_000, 'connected');
    const pid = c.pid;
    if (pid === undefined) throw new Error('collector has no pid');

    process.kill(pid, 'SIGSTOP');
    const stoppedAt = performance.now();
    await until(() => app.sync.status().state !== 'connected', 5000, 'the desktop to notice');
    const detectedMs = performance.now() - stoppedAt;
    expect(detectedMs).toBeLessThanOrEqual(1000 + 400);
    const offline = app.sync.status();
    expect(Date.parse(offline.since)).toBeLessThanOrEqual(Date.now());

    process.kill(pid, 'SIGCONT');
    await until(() => app.sync.status().state === 'connected', 10_000, 'reconnect after thaw');
  });

  it('records the collector clock offset (desktop clock one hour behind)', async () => {
    collector = await startCollector();
    const skew = 3_600_000;
    const app = desktops.open(collector, 'ana', { clock: { now: () => Date.now() - skew } });
    await until(() => app.sync.status().state === 'connected', 10_000, 'connected');
    const { serverOffsetMs } = app.sync.status();
    expect(Math.abs(serverOffsetMs - skew)).toBeLessThan(500);
    expect(app.cache.syncState().serverOffsetMs).toBe(serverOffsetMs);
  });
});

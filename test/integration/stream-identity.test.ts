import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { connectStream, errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { collectorAlerts, Desktops, metric, seedAlertLog, until } from './sync-helpers.js';

/**
 * Per-user tokens (config `users`) against a real collector process: a person's token opens a
 * stream only as that person, reads what a desktop reads, and cannot ingest; the shared token
 * keeps ingesting. Client text never forges a collector log line.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-identity-'));
  dirs.push(d);
  return d;
};
const desktops = new Desktops();

interface Minted {
  token: string;
  users: { name: string; tokenSha256: string }[];
}

/** `npm run token:mint -- --user NAME [--config FILE]`, as an operator runs it. */
function mint(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'electron/collector/mint-token.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

async function mintUser(name: string): Promise<Minted> {
  const r = await mint(['--user', name]);
  expect(r.code, r.stderr).toBe(0);
  return parse(r.stdout) as Minted;
}

function get(c: CollectorHandle, path: string, token: string): Promise<Response> {
  return fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

let collector: CollectorHandle;
let alice: Minted;
let bob: Minted;
let alertIds: string[] = [];

beforeAll(async () => {
  [alice, bob] = await Promise.all([mintUser('alice'), mintUser('bob')]);
  const dataDir = tempDir();
  seedAlertLog(dataDir, 3, { alerts: 3, now: Date.now() });
  const userLines = [...alice.users, ...bob.users]
    .map((u) => `  - {name: ${JSON.stringify(u.name)}, tokenSha256: ${u.tokenSha256}}`)
    .join('\n');
  collector = await startCollector({ dataDir, configYaml: `users:\n${userLines}\n` });
  alertIds = (await collectorAlerts(collector)).map((a) => a.id);
  expect(alertIds).toHaveLength(3);
});

afterEach(() => desktops.disposeAll());

afterAll(async () => {
  await collector.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('per-user tokens', () => {
  it('the mint CLI prints a token once and the config entry; the collector takes the entry', () => {
    expect(alice.token).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
    expect(alice.users).toEqual([{ name: 'alice', tokenSha256: expect.stringMatching(/^[0-9a-f]{64}$/) as string }]);
    expect(alice.token).not.toBe(bob.token);
    expect(collector.output()).toMatch(/auth: 2 per-user tokens/);
    // The collector started with them: alice's token is known to it.
    return expect(get(collector, '/v1/alerts', alice.token).then((r) => r.status)).resolves.toBe(200);
  });

  it('the mint CLI refuses a user the config already lists', async () => {
    const cfg = join(tempDir(), 'c.yaml');
    writeFileSync(cfg, `users:\n  - {name: alice, tokenSha256: ${alice.users[0]?.tokenSha256}}\n`);
    const again = await mint(['--user', 'alice', '--config', cfg]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already lists a token for "alice"/);
    expect(again.stdout).toBe('');
    const carol = await mint(['--user', 'carol', '--config', cfg]);
    expect(carol.code).toBe(0);
    expect((parse(carol.stdout) as Minted).users[0]?.name).toBe('carol');
  });

  it("alice's token with hello as bob is refused and closed; nothing is acknowledged as bob", async () => {
    const s = await connectStream(collector.url, alice.token, { user: 'bob' });
    expect(await s.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'forbidden' });
    expect(s.frames.some((f) => f.type === 'welcome')).toBe(false);
    // Whatever it sends next is not read.
    s.send({ type: 'command', id: 'forged-ack', kind: 'ack', alertId: alertIds[0] });
    expect(await s.closed()).toEqual({ code: 1008, reason: 'forbidden' });
    expect((await collectorAlerts(collector)).find((a) => a.id === alertIds[0])?.acknowledgedBy).toBeUndefined();
    expect(collector.output()).toMatch(/said hello as bob with alice's token: forbidden/);
    expect(await metric(collector, 'vigil_ws_hello_forbidden_total')).toBeGreaterThanOrEqual(1);
  });

  it('alice as alice acknowledges, recorded as acknowledgedBy alice', async () => {
    const s = await connectStream(collector.url, alice.token, { user: 'alice' });
    expect(s.frames[0]).toMatchObject({ type: 'welcome' });
    s.send({ type: 'command', id: 'alice-ack', kind: 'ack', alertId: alertIds[1] });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'alice-ack')).toMatchObject({ ok: true });
    const acked = (await collectorAlerts(collector)).find((a) => a.id === alertIds[1]);
    expect(acked).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
    await s.close();
  });

  it("a desktop with bob's token syncs, reads the desktop routes and acknowledges as bob", async () => {
    const app = desktops.open({ url: collector.url, token: bob.token }, 'bob');
    await until(() => app.cache.listAlerts().length === 3, 15_000, "bob's desktop to sync");
    await app.api.handle({ method: 'alerts.command', params: { kind: 'ack', alertId: alertIds[2] ?? '' } });
    await until(
      () => app.cache.alert(alertIds[2] ?? '')?.acknowledgedBy === 'bob',
      15_000,
      'the ack to come back through the stream',
    );
    // Every GET a desktop makes authenticates with a user token (none answers 401).
    for (const path of ['/v1/alerts', '/v1/rotation', '/v1/runbooks', '/v1/rollups', '/v1/series', '/v1/stats']) {
      const res = await get(collector, path, bob.token);
      expect(res.status, path).not.toBe(401);
    }
    expect((await get(collector, '/v1/alerts', bob.token)).status).toBe(200);
    expect((await get(collector, '/v1/runbooks', bob.token)).status).toBe(200);
  });

  it('the shared token still ingests but no longer opens a stream; user tokens cannot ingest', async () => {
    const events = errorBurst({
      service: 's',
      provider: 'openai',
      model: 'gpt-4o',
      startMs: Date.now() - 60_000,
      minutes: 1,
      perMinute: 2,
      errorRate: 0,
    });
    expect((await postEvents(collector.url, collector.token, events)).status).toBe(200);
    const asAlice = await postEvents(collector.url, alice.token, events);
    expect(asAlice.status).toBe(401);
    const shared = await connectStream(collector.url, collector.token, { user: 'alice' });
    expect(await shared.waitFor((f) => f.type === 'error')).toMatchObject({ code: 'forbidden' });
    expect(await shared.closed()).toMatchObject({ code: 1008 });
  });

  it('a wrong token is 401 on HTTP and on the stream upgrade', async () => {
    for (const path of ['/v1/alerts', '/v1/rotation', '/metrics']) {
      const res = await get(collector, path, `${alice.token}x`);
      expect(res.status, path).toBe(401);
    }
    expect((await fetch(`${collector.url}/v1/alerts`)).status).toBe(401);
    await expect(connectStream(collector.url, 'not-a-token-at-all', { user: 'alice' })).rejects.toThrow(/401/);
  });
});

describe('client text in the log', () => {
  it('a hello.user with a newline and an escape sequence is refused and forges no log line', async () => {
    const forged = 'mallory\n[collector] forged: alert acknowledged by the CEO\x1b[2J';
    const s = await connectStream(collector.url, alice.token, { hello: false });
    s.send({ type: 'hello', user: forged, lastSeq: 0, protocol: PROTOCOL_VERSION });
    const err = await s.waitFor((f) => f.type === 'error');
    expect(err).toMatchObject({ code: 'invalid_field' });
    expect(err.message).toMatch(/^user: must not contain control characters/);
    expect(await s.closed()).toMatchObject({ code: 1008 });
    const out = collector.output();
    expect(out).not.toMatch(/^\[collector\] forged/m);
    expect(out).not.toContain('\x1b');
  });

  it('a valid but unusual name is logged escaped, on one line', async () => {
    const s = await connectStream(collector.url, collector.token, { hello: false });
    // A valid user name with the shared token: refused (users exist) and logged.
    s.send({ type: 'hello', user: `zoë-${'x'.repeat(50)}\\n[collector] x`, lastSeq: 0, protocol: PROTOCOL_VERSION });
    await s.waitFor((f) => f.type === 'error');
    await s.closed();
    const line = collector
      .output()
      .split('\n')
      .find((l) => l.includes('said hello as zoë-'));
    expect(line).toBeDefined();
    // The backslash is escaped, so the text cannot pass for an escaped newline either.
    expect(line).toContain('\\\\n[collector] x');
  });
});

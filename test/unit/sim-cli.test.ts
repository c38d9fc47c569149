import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LlmEvent } from '../../shared/protocol/events.js';
import { createTraffic } from '../../shared/sim/index.js';
import { parseDuration, parseSimArgs } from '../../electron/collector/simulator/args.js';
import { handleCommand } from '../../electron/collector/simulator/commands.js';
import { Sender } from '../../electron/collector/simulator/sender.js';
import type { HttpResponse, PostFn } from '../../electron/collector/simulator/sender.js';

const CLI = resolve(import.meta.dirname, '../../electron/collector/simulator/cli.ts');
/** Tokens are at least MIN_TOKEN_LENGTH (16) characters everywhere (electron/node/tokens.ts). */
const TOKEN = 't-0123456789abcdef';
const ok = ['--url', 'http://127.0.0.1:1', '--token', TOKEN];

function errorOf(argv: string[]): string {
  const r = parseSimArgs(argv);
  return r.kind === 'error' ? r.message : `(accepted: ${r.kind})`;
}

describe('simulator arguments', () => {
  it('parses durations', () => {
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('36h')).toBe(36 * 3_600_000);
    expect(parseDuration('90m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('7')).toBeUndefined();
    expect(parseDuration('-1h')).toBeUndefined();
  });

  it('accepts a full command line', () => {
    const r = parseSimArgs([
      ...ok,
      '--rate',
      '12',
      '--seed',
      '3',
      '--backfill',
      '36h',
      '--scenario',
      'provider-outage:provider=google',
      '--scenario',
      'cost-bug',
      '--scenario-since',
      '20m',
      '--speed',
      '0.5',
    ]);
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.options).toMatchObject({
      rate: 12,
      seed: 3,
      backfillMs: 36 * 3_600_000,
      scenarioSinceMs: 20 * 60_000,
      speed: 0.5,
      once: false,
      batchSize: 1000,
    });
    expect(r.options.scenarios).toEqual([
      { name: 'provider-outage', target: { provider: 'google' } },
      { name: 'cost-bug' },
    ]);
  });

  it('takes a token that starts with a dash, as base64url tokens may, in the --token=value form', () => {
    const r = parseSimArgs(['--url', 'http://127.0.0.1:1', '--token=-Xy_token_0123456789']);
    expect(r.kind).toBe('run');
    if (r.kind === 'run') expect(r.options.token).toBe('-Xy_token_0123456789');
  });

  it('rejects bad input with messages that name the flag', () => {
    expect(errorOf([])).toMatch(/--url is required/);
    expect(errorOf(['--url', 'http://x'])).toMatch(/--token is required/);
    expect(errorOf(['--url', 'ftp://x', '--token', TOKEN])).toMatch(/--url must be an http/);
    expect(errorOf([...ok, '--rate', 'fast'])).toMatch(/--rate: 'fast' must be a number/);
    expect(errorOf([...ok, '--rate', '-1'])).toMatch(/--rate/);
    expect(errorOf([...ok, '--seed', '1.5'])).toMatch(/--seed: '1.5' must be an integer/);
    expect(errorOf([...ok, '--backfill', '7 days'])).toMatch(/--backfill: '7 days' is not a duration/);
    expect(errorOf([...ok, '--scenario', 'meteor-strike'])).toMatch(
      /unknown scenario 'meteor-strike'.*provider-outage/,
    );
    expect(errorOf([...ok, '--scenario', 'provider-outage:provider=azure'])).toMatch(/unknown provider 'azure'/);
    expect(errorOf([...ok, '--scenario', 'provider-outage:region=eu'])).toMatch(/unknown target key 'region'/);
    expect(errorOf([...ok, '--scenario-since', '20m'])).toMatch(/--scenario-since needs at least one --scenario/);
    expect(errorOf([...ok, '--scenario', 'cost-bug', '--backfill', '10m', '--scenario-since', '20m'])).toMatch(
      /must not be longer than --backfill/,
    );
    expect(errorOf([...ok, '--frobnicate'])).toMatch(/frobnicate/);
    // Review of issue 11, finding 10: live traffic faster than the wall clock is refused by the collector.
    expect(errorOf([...ok, '--speed', '10'])).toMatch(/--speed: 10 would date live events ahead of the wall clock/);
    expect(parseSimArgs([...ok, '--speed', '1']).kind).toBe('run');
    // Review finding 19: one minimum token length for every process (electron/node/tokens.ts).
    expect(errorOf(['--url', 'http://x', '--token', 'short'])).toMatch(/--token must be at least 16 characters/);
  });
});

describe('stdin commands', () => {
  it('turns scenarios on and off and reports one line per change', () => {
    const traffic = createTraffic({ seed: 1 });
    const ctx = { traffic, simNow: () => Date.UTC(2026, 10, 2), statusLine: () => 'STATUS' };
    expect(handleCommand('on provider-outage provider=google', ctx)).toEqual([
      'scenario provider-outage on (provider=google) since 2026-11-02T00:00:00.000Z',
    ]);
    expect(traffic.active()).toEqual([
      { name: 'provider-outage', target: { provider: 'google' }, since: Date.UTC(2026, 10, 2) },
    ]);
    expect(handleCommand('off provider-outage', ctx)).toEqual(['scenario provider-outage off']);
    expect(handleCommand('off provider-outage', ctx)).toEqual(['scenario provider-outage was not on']);
    expect(handleCommand('list', ctx)).toHaveLength(9);
    expect(handleCommand('status', ctx)).toEqual(['STATUS']);
    expect(handleCommand('', ctx)).toEqual([]);
    expect(handleCommand('on nope', ctx)[0]).toMatch(/^error: unknown scenario/);
    expect(handleCommand('explode', ctx)[0]).toMatch(/^error: unknown command/);
  });
});

describe('sender', () => {
  const quiet = { log: () => undefined, warn: () => undefined, onFatal: () => undefined };
  const event = createTraffic({ seed: 1 }).generate(Date.UTC(2026, 10, 2, 14), Date.UTC(2026, 10, 2, 14, 0, 30)).events;

  it('retries a collector that is briefly down, then delivers in order', async () => {
    const bodies: string[] = [];
    let calls = 0;
    const post: PostFn = async (_url, body): Promise<HttpResponse> => {
      calls++;
      if (calls <= 2) throw new Error('connect ECONNREFUSED');
      bodies.push(body);
      return { status: 202, body: '{}' };
    };
    const s = new Sender({ url: 'http://x', token: 't', batchSize: 100, maxBuffer: 10_000, post, ...quiet });
    s.start();
    s.enqueueEvents(event);
    expect(await s.flush(5000)).toBe(true);
    await s.stop();
    expect(s.stats.postFailures).toBe(2);
    expect(s.stats.eventsSent).toBe(event.length);
    expect(
      bodies
        .join('')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { ts: number }).ts),
    ).toEqual(event.map((e) => e.ts));
  });

  it('drops the oldest live batches past the buffer bound, and counts them', async () => {
    const post: PostFn = () => new Promise(() => undefined); // a collector that never answers
    const s = new Sender({ url: 'http://x', token: 't', batchSize: 100, maxBuffer: 1000, post, ...quiet });
    s.start();
    for (let i = 0; i < 30; i++) s.enqueueEvents(event.slice(0, 100));
    expect(s.buffered).toBeLessThanOrEqual(1000);
    expect(s.stats.dropped).toBe(2000);
    expect(s.takeDroppedUnreported()).toBe(2000);
    void s.stop();
  });

  it('stops sending evals after a 404 and splits batches on 413', async () => {
    const sizes: number[] = [];
    let evalCalls = 0;
    const post: PostFn = async (url, body) => {
      if (url.endsWith('/v1/evals')) {
        evalCalls++;
        return { status: 404, body: '' };
      }
      const n = body.trim().split('\n').length;
      if (n > 50) return { status: 413, body: '' };
      sizes.push(n);
      return { status: 202, body: '' };
    };
    const warnings: string[] = [];
    const s = new Sender({
      url: 'http://x/',
      token: 't',
      batchSize: 200,
      maxBuffer: 10_000,
      post,
      ...quiet,
      warn: (l) => warnings.push(l),
    });
    s.start();
    s.enqueueEvals([{ suite: 'a', ts: 1, accuracy: 0.9 }]);
    s.enqueueEvents(event.slice(0, 200));
    s.enqueueEvals([{ suite: 'a', ts: 2, accuracy: 0.9 }]);
    expect(await s.flush(5000)).toBe(true);
    await s.stop();
    expect(evalCalls).toBe(1);
    expect(s.stats.evalsDisabled).toBe(true);
    expect(warnings.filter((w) => w.includes('/v1/evals'))).toHaveLength(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(50);
  });
});

interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('simulator CLI against a local collector stand-in', () => {
  let server: Server | undefined;
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  });

  async function startServer(received: Received[]): Promise<string> {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push({ url: req.url ?? '', headers: req.headers, body });
        res.writeHead(req.url === '/v1/events' ? 202 : 404, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  function run(args: string[]): {
    proc: ChildProcessWithoutNullStreams;
    output: () => string;
    exited: Promise<number | null>;
  } {
    const proc = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: resolve(import.meta.dirname, '../..'),
    });
    child = proc;
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    return { proc, output: () => output, exited };
  }

  async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
    const deadline = performance.now() + ms;
    while (!cond()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const eventsIn = (received: Received[]) =>
    received
      .filter((r) => r.url === '/v1/events')
      .flatMap((r) =>
        r.body
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as unknown),
      );

  it('posts valid NDJSON with the bearer token, and stdin toggles a scenario', async () => {
    const received: Received[] = [];
    const url = await startServer(received);
    const sim = run([
      '--url',
      url,
      '--token',
      'sekrit-0123456789abc',
      '--rate',
      '200',
      '--tick',
      '200ms',
      '--summary-every',
      '1s',
    ]);
    await until(() => eventsIn(received).length > 50, 'first events');
    const first = received.find((r) => r.url === '/v1/events');
    expect(first?.headers.authorization).toBe('Bearer sekrit-0123456789abc');
    expect(first?.headers['content-type']).toBe('application/x-ndjson');
    for (const e of eventsIn(received)) expect(LlmEvent.safeParse(e).success).toBe(true);

    sim.proc.stdin.write('on provider-outage\n');
    await until(() => sim.output().includes('scenario provider-outage on (provider=openai)'), 'the reply to "on"');
    const before = eventsIn(received).length;
    await until(() => eventsIn(received).length > before + 300, 'events after the toggle');
    const after = eventsIn(received)
      .slice(before)
      .map((e) => LlmEvent.parse(e))
      .filter((e) => e.provider === 'openai');
    expect(after.filter((e) => e.status === 'error').length / after.length).toBeGreaterThan(0.5);

    sim.proc.stdin.write('status\n');
    await until(() => /sent \d+ events/.test(sim.output()), 'a status line');
    sim.proc.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    expect(sim.output()).toMatch(/stopped: sent \d+ events/);
  }, 40_000);

  it('--once backfills, logs a missing /v1/evals route once, and exits 0', async () => {
    const received: Received[] = [];
    const url = await startServer(received);
    const sim = run([
      '--url',
      url,
      '--token',
      TOKEN,
      '--backfill',
      '3h',
      '--once',
      '--scenario',
      'error-spike',
      '--scenario-since',
      '30m',
    ]);
    sim.proc.stdin.end();
    expect(await sim.exited).toBe(0);
    const events = eventsIn(received).map((e) => LlmEvent.parse(e));
    expect(events.length).toBeGreaterThan(1000);
    expect(received.filter((r) => r.url === '/v1/evals')).toHaveLength(1);
    expect(sim.output().match(/answered 404 for \/v1\/evals/g)).toHaveLength(1);
    const last = events.at(-1)?.ts ?? 0;
    const rate = (xs: typeof events) => xs.filter((e) => e.status === 'error').length / xs.length;
    const rag = events.filter((e) => e.service === 'search-rag');
    expect(rate(rag.filter((e) => e.ts > last - 25 * 60_000))).toBeGreaterThan(0.1);
    expect(rate(rag.filter((e) => e.ts < last - 40 * 60_000))).toBeLessThan(0.03);
  }, 40_000);

  it('exits 2 with a clear message on bad arguments', async () => {
    const sim = run(['--url', 'http://127.0.0.1:9', '--token', TOKEN, '--rate', 'lots']);
    expect(await sim.exited).toBe(2);
    expect(sim.output()).toMatch(/--rate: 'lots' must be a number/);
  }, 20_000);
});

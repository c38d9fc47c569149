import { describe, expect, it } from 'vitest';
import { parseSimArgs } from '../../electron/collector/simulator/args.js';
import { fetchDataEnd, resumeFrom, type GetFn } from '../../electron/collector/simulator/resume.js';

const URL_ = 'http://127.0.0.1:1';

function tokenOf(argv: string[], sources: Parameters<typeof parseSimArgs>[1] = {}): string {
  const r = parseSimArgs(['--url', URL_, ...argv], sources);
  return r.kind === 'run' ? r.options.token : `error: ${r.kind === 'error' ? r.message : r.kind}`;
}

describe('simulator token sources (never argv from a parent process)', () => {
  it('takes VIGIL_TOKEN from the environment, or --token-file; an explicit --token or file wins', () => {
    expect(tokenOf([], { env: { VIGIL_TOKEN: '-starts-with-dash-0123' } })).toBe('-starts-with-dash-0123');
    expect(tokenOf(['--token-file', '/x/token'], { readFile: () => 'from-file-0123456789\nignored\n' })).toBe(
      'from-file-0123456789',
    );
    // An explicit flag or file wins over the environment.
    expect(tokenOf(['--token', 'flag-0123456789abc'], { env: { VIGIL_TOKEN: 'env-0123456789abcd' } })).toBe(
      'flag-0123456789abc',
    );
    expect(
      tokenOf(['--token-file', 'f'], {
        env: { VIGIL_TOKEN: 'env-0123456789abcd' },
        readFile: () => 'file-0123456789abcd',
      }),
    ).toBe('file-0123456789abcd');
  });

  it('names the problem when there is none, or a bad one', () => {
    expect(tokenOf([])).toMatch(/--token is required \(or --token-file FILE, or VIGIL_TOKEN/);
    expect(tokenOf([], { env: { VIGIL_TOKEN: '  ' } })).toMatch(/--token is required/);
    expect(tokenOf(['--token', 'a', '--token-file', 'f'])).toMatch(/either --token or --token-file/);
    expect(tokenOf(['--token-file', 'f'], { readFile: () => '\n' })).toMatch(
      /--token-file: f holds no usable token \(need at least 16 characters\)/,
    );
    expect(
      tokenOf(['--token-file', '/nope'], {
        readFile: () => {
          throw new Error('ENOENT: no such file');
        },
      }),
    ).toMatch(/--token-file: cannot read \/nope: ENOENT/);
    // One minimum length for every source (review finding 19; electron/node/tokens.ts).
    expect(tokenOf([], { env: { VIGIL_TOKEN: 'short' } })).toMatch(/VIGIL_TOKEN must be at least 16 characters/);
    expect(tokenOf(['--token-file', 'f'], { readFile: () => 'short\n' })).toMatch(/holds no usable token/);
    expect(tokenOf(['--token', 'short'])).toMatch(/--token must be at least 16 characters/);
  });

  it('--full-backfill is off unless asked for', () => {
    const r = parseSimArgs(['--url', URL_, '--token', 't-0123456789abcdef', '--backfill', '1d']);
    expect(r.kind === 'run' && r.options.fullBackfill).toBe(false);
    const f = parseSimArgs(['--url', URL_, '--token', 't-0123456789abcdef', '--backfill', '1d', '--full-backfill']);
    expect(f.kind === 'run' && f.options.fullBackfill).toBe(true);
  });

  it('--history D (issue 14: the demo fills a week) goes with --backfill; a bad duration names the flag', () => {
    const T = ['--url', URL_, '--token', 't-0123456789abcdef'];
    const r = parseSimArgs([...T, '--backfill', '1d', '--history', '6d']);
    expect(r.kind === 'run' && r.options.historyMs).toBe(6 * 86_400_000);
    const none = parseSimArgs([...T, '--backfill', '1d']);
    expect(none.kind === 'run' && none.options.historyMs).toBe(0);
    // Without a backfill there is no "before the backfill": no history.
    const live = parseSimArgs([...T, '--history', '6d']);
    expect(live.kind === 'run' && live.options.historyMs).toBe(0);
    const bad = parseSimArgs([...T, '--backfill', '1d', '--history', 'a week']);
    expect(bad.kind === 'error' && bad.message).toMatch(/--history/);
  });
});

describe('backfill resume', () => {
  const from = 1_000_000;
  const to = 2_000_000;
  it('starts just after the stored data, never before the span nor after its end', () => {
    expect(resumeFrom(from, to, undefined)).toBe(from);
    expect(resumeFrom(from, to, 500_000)).toBe(from);
    expect(resumeFrom(from, to, 1_500_000)).toBe(1_500_001);
    expect(resumeFrom(from, to, 9_000_000)).toBe(to);
  });

  const answering =
    (status: number, body: unknown, seen: { url?: string; auth?: string } = {}): GetFn =>
    async (url, headers) => {
      seen.url = url;
      seen.auth = headers.authorization;
      return { status, body: typeof body === 'string' ? body : JSON.stringify(body) };
    };

  it('asks GET /v1/stats with the token and reads lastEventTs', async () => {
    const seen: { url?: string; auth?: string } = {};
    const end = await fetchDataEnd(
      'http://c:1/',
      'tok',
      answering(200, { events: 5, alerts: 0, lastSeq: 0, lastEventTs: 1_234 }, seen),
    );
    expect(end).toEqual({ kind: 'known', lastEventTs: 1_234 });
    expect(seen).toEqual({ url: 'http://c:1/v1/stats', auth: 'Bearer tok' });
    expect(
      await fetchDataEnd('http://c:1', 't', answering(200, { events: 0, alerts: 0, lastSeq: 0, lastEventTs: null })),
    ).toEqual({
      kind: 'known',
      lastEventTs: undefined,
    });
  });

  it('tells an empty old collector from one that cannot say, and a refused token from an outage', async () => {
    expect(await fetchDataEnd(URL_, 't', answering(200, { events: 0, alerts: 0, lastSeq: 0 }))).toEqual({
      kind: 'known',
      lastEventTs: undefined,
    });
    expect((await fetchDataEnd(URL_, 't', answering(200, { events: 9, alerts: 0, lastSeq: 0 }))).kind).toBe('unknown');
    expect((await fetchDataEnd(URL_, 't', answering(401, {}))).kind).toBe('unauthorized');
    expect(await fetchDataEnd(URL_, 't', answering(503, {}))).toMatchObject({ kind: 'unknown', retry: true });
    expect(await fetchDataEnd(URL_, 't', answering(404, {}))).toMatchObject({ kind: 'unknown', retry: false });
    expect((await fetchDataEnd(URL_, 't', answering(200, 'not json'))).kind).toBe('unknown');
    expect((await fetchDataEnd(URL_, 't', answering(200, { events: -1 }))).kind).toBe('unknown');
    const down: GetFn = () => Promise.reject(new Error('ECONNREFUSED'));
    expect(await fetchDataEnd(URL_, 't', down)).toMatchObject({
      kind: 'unknown',
      retry: true,
      message: expect.stringContaining('ECONNREFUSED'),
    });
  });
});

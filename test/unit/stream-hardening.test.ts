import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Authenticator, tokenSha256 } from '../../electron/collector/http/auth.js';
import { mintUserToken, mintTokenCli } from '../../electron/collector/mint-token.js';
import type { Incident } from '../../shared/protocol/incident.js';
import { snapshotPages, type SnapshotPageBounds } from '../../electron/collector/stream/snapshot-pages.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { HelloFrame, ServerFrame } from '../../shared/protocol/stream.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/version.js';
import { TokenBucket } from '../../shared/rate/token-bucket.js';
import { hasUnsafeChars, LOG_TEXT_MAX_CHARS, logSafe } from '../../shared/text/log-safe.js';

function alert(id: string, labelBytes = 0): Alert {
  return {
    id,
    ruleId: 'alertmanager',
    tier: 'ticket',
    status: 'firing',
    source: 'alertmanager',
    summary: `alert ${id}`,
    labels: labelBytes > 0 ? { service: 'chat', blob: 'x'.repeat(labelBytes) } : { service: 'chat' },
    firedAt: '2026-01-05T09:00:00.000Z',
  };
}

describe('logSafe', () => {
  it('escapes newlines, escape sequences and other controls so no log line can be forged', () => {
    const forged = 'bob\n[collector] forged line\r\x1b[2J\x1b]0;title\x07\u2028\u202e';
    const safe = logSafe(forged);
    expect(safe).toBe('bob\\n[collector] forged line\\r\\x1b[2J\\x1b]0;title\\x07\\u2028\\u202e');
    expect(hasUnsafeChars(safe)).toBe(false);
    for (const c of ['\n', '\r', '\x1b']) expect(safe).not.toContain(c);
  });

  it('escapes backslashes, so an escaped form cannot be faked; leaves ordinary text alone', () => {
    expect(logSafe('a\\nb')).toBe('a\\\\nb');
    expect(logSafe('Zoë 😀 日本 tab-free')).toBe('Zoë 😀 日本 tab-free');
    expect(logSafe('\t\x00\x7f\x85')).toBe('\\t\\x00\\x7f\\x85');
  });

  it('caps length and says how much was cut', () => {
    const long = 'a'.repeat(LOG_TEXT_MAX_CHARS + 55);
    expect(logSafe(long)).toBe(`${'a'.repeat(LOG_TEXT_MAX_CHARS)}…(+55 chars)`);
    expect(logSafe('abcdef', 3)).toBe('abc…(+3 chars)');
  });

  it('never emits a control character, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (s) => {
        const out = logSafe(s);
        expect(hasUnsafeChars(out)).toBe(false);
        expect(out.split('\n')).toHaveLength(1);
      }),
      { numRuns: 200 },
    );
  });
});

describe('hello.user', () => {
  const hello = (user: string) => HelloFrame.safeParse({ type: 'hello', user, lastSeq: 0, protocol: PROTOCOL_VERSION });

  it('refuses control characters, line separators and bidi overrides', () => {
    for (const bad of ['bob\n[collector] forged', 'bob\r', 'x\x1b[31m', 'a\u2028b', 'evil\u202etxt', 'nul\x00', '']) {
      const r = hello(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
      if (!r.success) expect(r.error.issues[0]?.path).toEqual(['user']);
    }
  });

  it('keeps accepting real names', () => {
    for (const ok of ['ana', 'Zoë Smith', 'li.wei@example.com', '田中 太郎', 'ops 😀'])
      expect(hello(ok).success).toBe(true);
  });
});

describe('snapshotPages', () => {
  const bounds: SnapshotPageBounds = { maxAlerts: 3, maxBytes: 2_000, maxFrameBytes: 10_000 };
  const pagesOf = (alerts: Alert[], b = bounds) => {
    const skipped: string[] = [];
    const pages = [...snapshotPages(42, alerts, b, (id) => skipped.push(id))];
    const frames = pages.map((p) => {
      const f = ServerFrame.parse(JSON.parse(p.text));
      if (f.type !== 'snapshot') throw new Error('not a snapshot');
      expect(Buffer.byteLength(p.text)).toBe(p.bytes);
      return f;
    });
    return { pages, frames, skipped };
  };

  it('an empty alert set is one empty last page', () => {
    const { frames } = pagesOf([]);
    expect(frames).toEqual([{ type: 'snapshot', lastSeq: 42, page: 0, last: true, alerts: [], incidents: [] }]);
  });

  it('incidents follow the alerts, counted in the same page bounds; every one arrives once (protocol 5)', () => {
    const alerts = Array.from({ length: 4 }, (_, i) => alert(`a${i}`));
    const incident = (id: string): Incident => ({
      id,
      key: '{service="chat"}',
      tier: 'page',
      status: 'firing',
      title: 'chat down',
      alertIds: ['a0'],
      firedAt: '2026-03-02T03:00:00.000Z',
    });
    const incidents = ['inc-1', 'inc-2', 'inc-3'].map((id) => ({ id, json: JSON.stringify(incident(id)) }));
    const huge = { id: 'inc-huge', json: JSON.stringify({ ...incident('inc-huge'), title: 'x'.repeat(20_000) }) };
    const skipped: string[] = [];
    const pages = [...snapshotPages(42, alerts, bounds, (id) => skipped.push(id), [...incidents, huge])];
    const frames = pages.map((p) => ServerFrame.parse(JSON.parse(p.text)));
    const snaps = frames.filter((f) => f.type === 'snapshot');
    expect(snaps.map((f) => [f.alerts.length, f.incidents.length, f.last])).toEqual([
      [3, 0, false],
      [1, 2, false],
      [0, 1, true],
    ]);
    expect(snaps.flatMap((f) => f.incidents.map((i) => i.id))).toEqual(['inc-1', 'inc-2', 'inc-3']);
    expect(skipped).toEqual(['inc-huge']);
  });

  it('pages by count: numbered from 0, only the final one last, nothing lost or repeated', () => {
    const alerts = Array.from({ length: 7 }, (_, i) => alert(`a${i}`));
    const { frames } = pagesOf(alerts);
    expect(frames.map((f) => [f.page, f.alerts.length, f.last])).toEqual([
      [0, 3, false],
      [1, 3, false],
      [2, 1, true],
    ]);
    expect(frames.flatMap((f) => f.alerts)).toEqual(alerts);
  });

  it('pages by bytes: no page passes maxBytes unless one alert alone does', () => {
    const alerts = Array.from({ length: 6 }, (_, i) => alert(`b${i}`, 700));
    const { pages, frames } = pagesOf(alerts);
    expect(pages.length).toBeGreaterThan(2);
    for (const p of pages) expect(p.bytes).toBeLessThanOrEqual(bounds.maxBytes);
    expect(frames.flatMap((f) => f.alerts)).toEqual(alerts);
  });

  it('an alert bigger than a page goes alone; one bigger than any frame is reported and left out', () => {
    const alerts = [alert('small-1'), alert('big', 5_000), alert('small-2'), alert('huge', 20_000), alert('small-3')];
    const { pages, frames, skipped } = pagesOf(alerts);
    expect(skipped).toEqual(['huge']);
    expect(frames.map((f) => f.alerts.map((a) => a.id))).toEqual([['small-1'], ['big'], ['small-2', 'small-3']]);
    for (const p of pages) expect(p.bytes).toBeLessThanOrEqual(bounds.maxFrameBytes);
    expect(frames.at(-1)?.last).toBe(true);
  });

  it('holds its bounds for any mix of sizes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 12_000 }), { maxLength: 40 }), (sizes) => {
        const alerts = sizes.map((n, i) => alert(`p${i}`, n));
        const { pages, frames, skipped } = pagesOf(alerts);
        for (const p of pages) {
          expect(p.bytes).toBeLessThanOrEqual(bounds.maxFrameBytes);
          if (p.alerts > 1) expect(p.bytes).toBeLessThanOrEqual(bounds.maxBytes);
          expect(p.alerts).toBeLessThanOrEqual(bounds.maxAlerts);
        }
        expect(frames.map((f) => f.page)).toEqual(frames.map((_, i) => i));
        expect(frames.filter((f) => f.last)).toHaveLength(1);
        expect([...frames.flatMap((f) => f.alerts.map((a) => a.id)), ...skipped].sort()).toEqual(
          alerts.map((a) => a.id).sort(),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('TokenBucket', () => {
  it('allows the burst, then the refill rate; a clock stepping back mints nothing', () => {
    const b = new TokenBucket(10, 5, 1_000);
    for (let i = 0; i < 5; i++) expect(b.take(1_000)).toBe(true);
    expect(b.take(1_000)).toBe(false);
    expect(b.waitMs(1_000)).toBe(100);
    expect(b.take(1_050)).toBe(false);
    expect(b.take(1_100)).toBe(true);
    expect(b.take(500)).toBe(false);
    // A long pause refills to the burst, not beyond.
    let n = 0;
    while (b.take(100_000)) n += 1;
    expect(n).toBe(5);
  });
});

describe('Authenticator', () => {
  const shared = 'shared-token-0123456789';
  const alice = mintUserToken('alice');
  const bob = mintUserToken('bob');
  const withUsers = new Authenticator(shared, [
    { name: 'alice', tokenSha256: alice.tokenSha256 },
    { name: 'bob', tokenSha256: bob.tokenSha256 },
  ]);
  const single = new Authenticator(shared);

  it('knows each token and nothing else', () => {
    expect(withUsers.identify(shared)).toEqual({ kind: 'shared' });
    expect(withUsers.identify(alice.token)).toEqual({ kind: 'user', name: 'alice' });
    expect(withUsers.identify(bob.token)).toEqual({ kind: 'user', name: 'bob' });
    expect(withUsers.identify(undefined)).toBeUndefined();
    expect(withUsers.identify('')).toBeUndefined();
    expect(withUsers.identify(alice.token.slice(0, -1))).toBeUndefined();
    expect(withUsers.identify(alice.tokenSha256)).toBeUndefined();
    expect(single.identify(alice.token)).toBeUndefined();
  });

  it('a user token reads over HTTP; only the shared token writes', () => {
    const a = withUsers.identify(alice.token);
    expect(withUsers.mayRequest(a, 'GET')).toBe(true);
    expect(withUsers.mayRequest(a, 'POST')).toBe(false);
    expect(withUsers.mayRequest({ kind: 'shared' }, 'POST')).toBe(true);
    expect(withUsers.mayRequest(undefined, 'GET')).toBe(false);
  });

  it('hello must name the token’s user; the shared token streams only when there are no users', () => {
    expect(withUsers.helloDenied({ kind: 'user', name: 'alice' }, 'alice')).toBeUndefined();
    expect(withUsers.helloDenied({ kind: 'user', name: 'alice' }, 'bob')).toMatch(/another user/);
    expect(withUsers.helloDenied({ kind: 'shared' }, 'alice')).toMatch(/shared token cannot open a stream/);
    expect(single.helloDenied({ kind: 'shared' }, 'anyone')).toBeUndefined();
  });
});

describe('config users', () => {
  const hex = tokenSha256('t'.repeat(32));
  it('accepts names with hex digests (any case, stored lower)', () => {
    const r = parseCollectorConfig({ users: [{ name: 'alice', tokenSha256: hex.toUpperCase() }] });
    expect(r.ok && r.config.users).toEqual([{ name: 'alice', tokenSha256: hex }]);
    const none = parseCollectorConfig({});
    expect(none.ok && none.config.users).toEqual([]);
  });

  it('rejects bad digests, duplicate names or digests, bad names and unknown keys, naming the field', () => {
    const errors = (users: unknown): string => {
      const r = parseCollectorConfig({ users });
      if (r.ok) throw new Error('accepted');
      return r.errors.join('\n');
    };
    expect(errors([{ name: 'a', tokenSha256: 'abc' }])).toMatch(/^users\.0\.tokenSha256: must be the hex SHA-256/m);
    expect(errors([{ name: 'a', tokenSha256: 'g'.repeat(64) }])).toMatch(/^users\.0\.tokenSha256/m);
    expect(
      errors([
        { name: 'a', tokenSha256: hex },
        { name: 'a', tokenSha256: tokenSha256('other-token-xxxxxxxx') },
      ]),
    ).toMatch(/^users\.1\.name: duplicate user "a"/m);
    expect(
      errors([
        { name: 'a', tokenSha256: hex },
        { name: 'b', tokenSha256: hex },
      ]),
    ).toMatch(/^users\.1\.tokenSha256: two users share one token/m);
    expect(errors([{ name: 'x\ny', tokenSha256: hex }])).toMatch(/^users\.0\.name: must not contain control/m);
    expect(errors([{ name: 'a', token: 'plain' }])).toMatch(/^users\.0/m);
  });
});

describe('mint-token', () => {
  it('makes a 256-bit base64url token whose digest is the config line’s', () => {
    const m = mintUserToken('alice');
    expect(m.token).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{42}$/);
    expect(m.tokenSha256).toBe(tokenSha256(m.token));
    expect(m.yamlLine).toBe(`- {name: "alice", tokenSha256: ${m.tokenSha256}}`);
  });

  it('never starts a token with "-" (it would read as an option on a command line)', () => {
    const draws = [Buffer.alloc(32, 0xfb), Buffer.alloc(32, 0x01)]; // 0xfb… encodes as "-_-_…"
    const m = mintUserToken('a', () => draws.shift() ?? Buffer.alloc(32, 2));
    expect(m.token.startsWith('-')).toBe(false);
    expect(draws).toHaveLength(0);
  });

  it('refuses a missing or bad --user', () => {
    const err: string[] = [];
    expect(
      mintTokenCli(
        [],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(
      mintTokenCli(
        ['--user', 'a\nb'],
        () => {},
        (s) => err.push(s),
      ),
    ).toBe(2);
    expect(err.join('')).toMatch(/--user is required[\s\S]*--user must not contain control/);
  });
});

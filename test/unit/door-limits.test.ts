import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addressKey, BodyBudget } from '../../electron/collector/http/body-budget.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { decodeUtf8 } from '../../electron/collector/http/read-body.js';
import { parseTarget } from '../../electron/collector/http/request-target.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import { AlertmanagerWebhook, AM_MAX_LABEL_VALUE } from '../../shared/protocol/alertmanager.js';
import { TRUNCATION_MARKER, truncateText } from '../../shared/protocol/bounded-text.js';
import { EV2_MAX_SUMMARY, EventsV2Event } from '../../shared/protocol/events-v2.js';

describe('truncateText', () => {
  it('keeps short text, cuts long text to the bound with the marker', () => {
    expect(truncateText('abc', 10)).toBe('abc');
    expect(truncateText('x'.repeat(10), 10)).toBe('x'.repeat(10));
    const cut = truncateText('x'.repeat(100), 20);
    expect(cut).toHaveLength(20);
    expect(cut.endsWith(TRUNCATION_MARKER)).toBe(true);
  });

  it('never exceeds the bound and never leaves half a surrogate pair', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.integer({ min: 13, max: 150 }), (s, max) => {
        const t = truncateText(s, max);
        expect(t.length).toBeLessThanOrEqual(Math.max(max, 0));
        // A lone surrogate would not survive a UTF-8 round trip.
        expect(Buffer.from(t, 'utf8').toString('utf8')).toBe(t);
        if (s.length <= max) expect(t).toBe(s);
      }),
    );
  });
});

describe('BodyBudget', () => {
  it('holds what arrives, up to its capacity, and takes a release back once', () => {
    const b = new BodyBudget(1000, 1000);
    const a1 = b.open('h1');
    const a2 = b.open('h2');
    expect(a1?.take(600)).toBe(true);
    expect(a2?.take(500)).toBe(false);
    expect(a2?.take(400)).toBe(true);
    expect(b.reserved).toBe(1000);
    a1?.release();
    a1?.release();
    expect(b.reserved).toBe(400);
    expect(a1?.take(1)).toBe(false); // released: holds nothing more
    a2?.release();
    expect(b.reserved).toBe(0);
  });

  it('admits by declared length against what is held now, holding nothing until bytes arrive', () => {
    const b = new BodyBudget(1000, 1000);
    // Announcing is free: many large announcements hold nothing (a trickle cannot fill the budget).
    const announced = Array.from({ length: 10 }, () => b.open('h', 900));
    expect(announced.every((a) => a !== undefined)).toBe(true);
    expect(b.reserved).toBe(0);
    expect(announced[0]?.take(900)).toBe(true);
    // Now a body that cannot fit is refused before any of it is read...
    expect(b.open('h', 200)).toBeUndefined();
    // ...and one that fits is admitted.
    expect(b.open('h', 100)).toBeDefined();
    expect(b.open('h', 1001)).toBeUndefined();
  });

  it('lets one remote host hold at most its share (a quarter by default)', () => {
    const b = new BodyBudget(4000);
    expect(b.perAddress).toBe(1000);
    const h1 = b.open('10.0.0.1');
    expect(h1?.take(1000)).toBe(true);
    expect(h1?.take(1)).toBe(false);
    expect(b.open('10.0.0.1', 1)).toBeUndefined();
    // Other hosts keep their shares.
    for (const host of ['10.0.0.2', '10.0.0.3', '10.0.0.4']) expect(b.open(host)?.take(1000)).toBe(true);
    expect(b.reserved).toBe(4000);
    expect(b.open('10.0.0.5', 1)).toBeUndefined();
    h1?.release();
    expect(b.heldBy('10.0.0.1')).toBe(0);
    expect(b.open('10.0.0.5')?.take(1000)).toBe(true);
  });

  it('never holds more than its capacity or a host more than its share, whatever the order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            host: fc.integer({ min: 0, max: 5 }),
            bytes: fc.integer({ min: 0, max: 700 }),
            op: fc.constantFrom('open', 'take', 'release'),
          }),
          { maxLength: 200 },
        ),
        (ops) => {
          const b = new BodyBudget(2000, 900);
          const accounts: { host: string; take(n: number): boolean; release(): void }[] = [];
          for (const o of ops) {
            const host = `h${o.host}`;
            if (o.op === 'open') {
              const a = b.open(host, o.bytes);
              if (a) accounts.push({ host, take: a.take, release: a.release });
            } else {
              const a = accounts[o.bytes % Math.max(1, accounts.length)];
              if (a && o.op === 'take') a.take(o.bytes);
              if (a && o.op === 'release') a.release();
            }
            expect(b.reserved).toBeLessThanOrEqual(2000);
            for (let h = 0; h <= 5; h++) expect(b.heldBy(`h${h}`)).toBeLessThanOrEqual(900);
          }
          for (const a of accounts) a.release();
          expect(b.reserved).toBe(0);
        },
      ),
    );
  });
});

describe('addressKey', () => {
  it('is the IPv4 address, IPv4-mapped or not, and the /64 of an IPv6 address', () => {
    expect(addressKey('127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey('::ffff:192.168.1.20')).toBe('192.168.1.20');
    expect(addressKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:DB8:1:2:0:0:0:9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey(undefined)).toBe('unknown');
  });
});

describe('parseTarget', () => {
  it('parses paths and absolute-form targets, and refuses what is not a path', () => {
    expect(parseTarget('/v1/alerts?status=firing')?.pathname).toBe('/v1/alerts');
    expect(parseTarget('/v1/alerts?status=firing')?.searchParams.get('status')).toBe('firing');
    expect(parseTarget(undefined)?.pathname).toBe('/');
    expect(parseTarget('/')?.pathname).toBe('/');
    expect(parseTarget('http://127.0.0.1:4000/v1/stats')?.pathname).toBe('/v1/stats');
    // Unparseable (new URL throws), or a network-path reference naming another host.
    for (const bad of ['//', '/\\', '//x/v1/alerts', '/\\x/v1/alerts', 'http://[', '*', '', 'v1/alerts', 'ftp://x/']) {
      expect(parseTarget(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });

  it('never throws, and never resolves a target to another host', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `/${s}`),
          fc.string().map((s) => `//${s}`),
          fc.webUrl(),
        ),
        (t) => {
          const url = parseTarget(t);
          if (url !== undefined && t.startsWith('/')) expect(url.host).toBe('collector');
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('decodeUtf8', () => {
  it('decodes valid UTF-8 (dropping a BOM) and answers invalid_encoding otherwise', () => {
    expect(decodeUtf8(Buffer.from('café 🚀'))).toBe('café 🚀');
    expect(decodeUtf8(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]))).toBe('{}');
    for (const bad of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82]]) {
      let err: unknown;
      try {
        decodeUtf8(Buffer.from([0x22, ...bad, 0x22]));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HttpError);
      expect((err as HttpError).status).toBe(400);
      expect((err as HttpError).code).toBe('invalid_encoding');
    }
  });
});

describe('server config', () => {
  it('has defaults, is strict, and keeps headersTimeout within requestTimeout', () => {
    const d = parseCollectorConfig({});
    expect(d.ok && d.config.server).toEqual({
      requestTimeout: 300_000,
      headersTimeout: 10_000,
      keepAliveTimeout: 5_000,
      maxConnections: 1024,
      maxRequestsPerSocket: 1000,
      maxHeadersCount: 100,
      unauthenticatedBodyBytes: 8 * 512 * 1024,
      unauthenticatedBodyTimeout: 5_000,
    });
    const typo = parseCollectorConfig({ server: { requestTimout: '1s' } });
    expect(typo.ok).toBe(false);
    const inverted = parseCollectorConfig({ server: { headersTimeout: '1m', requestTimeout: '10s' } });
    expect(inverted).toEqual({
      ok: false,
      errors: ['server.headersTimeout: headersTimeout must not exceed requestTimeout'],
    });
    const zero = parseCollectorConfig({ server: { maxConnections: 0 } });
    expect(zero.ok).toBe(false);
  });
});

describe('webhook schemas bound their fields', () => {
  it('Alertmanager: label values are cut, not rejected', () => {
    const r = AlertmanagerWebhook.parse({
      version: '4',
      groupKey: '{}',
      status: 'firing',
      receiver: 'r',
      alerts: [
        { status: 'firing', labels: { a: 'v'.repeat(5000) }, startsAt: '2026-01-01T00:00:00Z', fingerprint: 'f' },
      ],
    });
    expect(r.alerts[0]?.labels.a).toHaveLength(AM_MAX_LABEL_VALUE);
  });

  it('Events-v2: the summary is cut, not rejected', () => {
    const e = EventsV2Event.parse({
      routing_key: 'k',
      event_action: 'trigger',
      payload: { summary: 's'.repeat(5000), source: 'x', severity: 'info' },
    });
    expect(e.payload?.summary).toHaveLength(EV2_MAX_SUMMARY);
    expect(e.payload?.summary.endsWith(TRUNCATION_MARKER)).toBe(true);
  });
});

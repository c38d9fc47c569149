import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BodyBudget } from '../../electron/collector/http/body-budget.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { decodeUtf8 } from '../../electron/collector/http/read-body.js';
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
  it('admits reservations up to its capacity and takes releases back once', () => {
    const b = new BodyBudget(1000);
    const r1 = b.reserve(600);
    expect(r1).toBeDefined();
    expect(b.reserve(500)).toBeUndefined();
    const r2 = b.reserve(400);
    expect(b.reserved).toBe(1000);
    r1?.();
    r1?.();
    expect(b.reserved).toBe(400);
    r2?.();
    expect(b.reserved).toBe(0);
    expect(b.reserve(1001)).toBeUndefined();
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
      requestTimeout: 30_000,
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

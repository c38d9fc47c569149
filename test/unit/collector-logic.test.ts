import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCommand } from '../../electron/collector/alerts/apply-command.js';
import { parseEvents } from '../../electron/collector/ingest/parse-events.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { decodeSketch, encodeSketch, newSketch } from '../../shared/rollup/sketch-codec.js';

const alert: Alert = {
  id: 'a1',
  ruleId: 'error-rate',
  tier: 'page',
  status: 'firing',
  source: 'rules',
  summary: 's',
  labels: {},
  firedAt: '2026-11-01T00:00:00.000Z',
};
const NOW = Date.UTC(2026, 10, 1, 1);

describe('applyCommand', () => {
  it('ack records who and when; a second ack and an ack on a resolved alert conflict', () => {
    const r = applyCommand(alert, { kind: 'ack' }, 'alice', NOW);
    expect(r).toMatchObject({
      ok: true,
      kind: 'acknowledged',
      alert: { status: 'acknowledged', acknowledgedBy: 'alice', acknowledgedAt: new Date(NOW).toISOString() },
    });
    if (!r.ok) throw new Error('unreachable');
    expect(applyCommand(r.alert, { kind: 'ack' }, 'bob', NOW)).toMatchObject({
      ok: false,
      conflict: expect.stringContaining('alice'),
    });
    expect(applyCommand({ ...alert, status: 'resolved' }, { kind: 'ack' }, 'bob', NOW)).toEqual({
      ok: false,
      conflict: 'alert is resolved',
    });
  });

  it('unack, snooze, escalate, comment', () => {
    const acked = applyCommand(alert, { kind: 'ack' }, 'alice', NOW);
    if (!acked.ok) throw new Error('unreachable');
    const un = applyCommand(acked.alert, { kind: 'unack' }, 'alice', NOW);
    expect(un.ok && un.alert.acknowledgedBy).toBe(undefined);
    expect(un.ok && un.alert.status).toBe('firing');
    expect(applyCommand(alert, { kind: 'snooze' }, 'a', NOW)).toMatchObject({ ok: false, error: expect.any(String) });
    expect(
      applyCommand(alert, { kind: 'snooze', until: new Date(NOW + 60_000).toISOString() }, 'a', NOW),
    ).toMatchObject({ ok: true, alert: { status: 'snoozed' } });
    // Protocol 5: escalation is the incident's (IncidentCommands); an alert alone cannot escalate.
    expect(applyCommand(alert, { kind: 'escalate' }, 'a', NOW)).toMatchObject({
      ok: false,
      conflict: expect.stringMatching(/no incident/),
    });
    expect(
      applyCommand({ ...alert, status: 'resolved' }, { kind: 'comment', note: 'postmortem' }, 'a', NOW),
    ).toMatchObject({ ok: true, kind: 'commented' });
  });

  it('property: a resolved alert only ever accepts comments', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('ack', 'unack', 'mitigate', 'resolve', 'snooze', 'escalate') as fc.Arbitrary<'ack'>,
        (kind) => {
          const r = applyCommand(
            { ...alert, status: 'resolved' },
            { kind, until: new Date(NOW + 1).toISOString() },
            'x',
            NOW,
          );
          expect(r.ok).toBe(false);
        },
      ),
    );
  });
});

describe('parseEvents', () => {
  const ok = {
    ts: 0,
    service: 's',
    provider: 'p',
    model: 'm',
    latency_ms: 1,
    input_tokens: 1,
    output_tokens: 1,
    status: 'ok',
  };
  const err = (f: () => unknown): HttpError => {
    try {
      f();
    } catch (e) {
      if (e instanceof HttpError) return e;
    }
    throw new Error('expected an HttpError');
  };
  it('names NDJSON lines (also when NDJSON arrives labelled application/json)', () => {
    const nd = `${JSON.stringify(ok)}\n\n${JSON.stringify({ ...ok, latency_ms: -1 })}`;
    expect(err(() => parseEvents(nd, 'ndjson', 10)).message).toMatch(/^line 3: latency_ms/);
    expect(err(() => parseEvents(nd, 'json', 10)).message).toMatch(/^line 3: latency_ms/);
    expect(parseEvents(`${JSON.stringify(ok)}\n${JSON.stringify(ok)}`, 'json', 10)).toHaveLength(2);
    expect(err(() => parseEvents('{"a":\n1', 'ndjson', 10)).code).toBe('invalid_json');
  });
  it('never throws anything but HttpError on arbitrary input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.json()),
        fc.constantFrom('json', 'ndjson') as fc.Arbitrary<'json'>,
        (text, format) => {
          try {
            parseEvents(text, format, 5);
          } catch (e) {
            expect(e).toBeInstanceOf(HttpError);
          }
        },
      ),
    );
  });
});

describe('collector config', () => {
  it('fills defaults and parses durations', () => {
    const r = parseCollectorConfig({ rules: { errorRate: { for: '15m' } } });
    expect(r.ok && r.config.rules.errorRate).toMatchObject({
      threshold: 0.05,
      confidence: 0.975,
      for: 900_000,
      keepFiringFor: 300_000,
    });
    // Issue 13: no minimum sample count any more (an old config's `minSamples` is accepted, ignored).
    expect(r.ok && r.config.rules.errorRate.minSamples).toBeUndefined();
    expect(r.ok && r.config.ingest).toMatchObject({
      maxBatchEvents: 10_000,
      maxBodyBytes: 10 * 1024 * 1024,
      maxFutureSkew: 300_000,
      maxLabelValues: 500,
    });
    expect(r.ok && r.config.escalation.maxSnooze).toBe(7 * 24 * 3_600_000);
    expect(r.ok && r.config.rules.allowedLateness).toBe(60_000);
  });
  it('names the bad path', () => {
    const r = parseCollectorConfig({ rules: { errorRate: { threshold: 'high' } } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors[0]).toMatch(/^rules\.errorRate\.threshold: expected number/);
  });
});

describe('sketch codec', () => {
  it('property: encode/decode keeps count, sum and quantiles', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }), (xs) => {
        const s = newSketch();
        for (const x of xs) s.accept(x);
        const back = decodeSketch(encodeSketch(s));
        expect(back.count).toBe(s.count);
        expect(back.sum).toBeCloseTo(s.sum, 6);
        for (const q of [0.5, 0.95, 0.99]) expect(back.getValueAtQuantile(q)).toBe(s.getValueAtQuantile(q));
      }),
      { numRuns: 50 },
    );
  });
});

import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../shared/clock.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import type { Alert } from '../../shared/protocol/alert.js';
import { EvalResult } from '../../shared/protocol/evals.js';
import { EVENT_LIMITS, LlmEvent, timestampUnitHint } from '../../shared/protocol/events.js';
import type { OtlpSpan } from '../../shared/protocol/otlp.js';
import { applyCommand } from '../../electron/collector/alerts/apply-command.js';
import { parseEvalBatch } from '../../electron/collector/evals/eval-intake.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { EventTimeGuard } from '../../electron/collector/ingest/event-time.js';
import { fastValidateEvent } from '../../electron/collector/ingest/fast-validate.js';
import { mapTraceRequest } from '../../electron/collector/ingest/otlp/traces.js';
import { eventField, parseEvents } from '../../electron/collector/ingest/parse-events.js';

/** Issue 11: timestamps and numbers at the ingest doors, and the snooze bound (pure parts). */

const NOW = Date.UTC(2026, 11, 6, 12, 0);
const ok = {
  service: 's',
  provider: 'openai',
  model: 'gpt-4o',
  latency_ms: 100,
  input_tokens: 10,
  output_tokens: 10,
  status: 'ok',
};

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected an HttpError');
}

describe('timestamps: sane at all (schema) and not ahead of the clock (ingest)', () => {
  it('the schema refuses negative and beyond-9999 times, saying when a number looks like µs/ns', () => {
    for (const ts of [-1, '0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', 1796538507000000, 1.7e18, 2 ** 60]) {
      const e = thrown(() => parseEvents(JSON.stringify([{ ...ok, ts }]), 'json', 10));
      expect(e.status).toBe(400);
      expect(e.field).toBe('[0].ts');
      expect(fastValidateEvent({ ...ok, ts })).toBeUndefined();
    }
    const micro = thrown(() => parseEvents(JSON.stringify({ ...ok, ts: 1796538507000000 }), 'json', 10));
    expect(micro.message).toMatch(/^ts: .*after the year 9999; it looks like epoch microseconds or nanoseconds/);
    // NDJSON names the line, as for every NDJSON error.
    const nd = thrown(() => parseEvents(JSON.stringify({ ...ok, ts: 1796538507000000 }), 'ndjson', 10));
    expect(nd.field).toBe('line 1: ts');
    // The year 9999 itself is a sane time (the clock check refuses it, below).
    expect(LlmEvent.safeParse({ ...ok, ts: '9999-12-31T23:59:59Z' }).success).toBe(true);
    expect(EvalResult.safeParse({ suite: 'q', ts: 1796538507000000, accuracy: 1 }).success).toBe(false);
  });

  it('unit hints: seconds below 1e11, micro/nanoseconds above 1e14, none for milliseconds', () => {
    expect(timestampUnitHint(1_796_538_507)).toMatch(/epoch seconds/);
    expect(timestampUnitHint(1_796_538_507_000_000)).toMatch(/microseconds or nanoseconds/);
    expect(timestampUnitHint(1_796_538_507_000)).toBe('');
  });

  it('the clock check names [i].ts (or ts for one object), says how far ahead and the limit', () => {
    const refused: number[] = [];
    const g = new EventTimeGuard({ now: () => NOW }, 5 * 60_000, (n) => refused.push(n));
    expect(() => g.check([{ ts: NOW }, { ts: NOW + 5 * 60_000 }])).not.toThrow();
    const e = thrown(() => g.check([{ ts: NOW }, { ts: NOW + DAY_MS }]));
    expect(e).toMatchObject({ status: 400, code: 'invalid_field', field: '[1].ts' });
    expect(e.message).toBe(
      `[1].ts: 2026-12-07T12:00:00.000Z (${NOW + DAY_MS}) is 1 d ahead of the collector's clock ` +
        '(2026-12-06T12:00:00.000Z); the limit is 5 min (ingest.maxFutureSkew)',
    );
    expect(thrown(() => g.check([{ ts: NOW + 6 * 60_000 }], () => 'ts')).field).toBe('ts');
    // ISO 9999 arrives as ms (2.5e14): the hint is conditional, as the form is no longer known.
    expect(g.problem(Date.UTC(9999, 11, 31))).toMatch(/if sent as a number it looks like epoch microseconds/);
    expect(g.problem(NOW + 2 * HOUR_MS)).not.toMatch(/microseconds/);
    expect(refused).toEqual([1, 1]);
  });

  it('parsed batches remember how their errors name a field (array, single object, NDJSON line)', () => {
    const ev = { ...ok, ts: NOW };
    expect(eventField(parseEvents(JSON.stringify([ev, ev]), 'json', 10), 1, 'ts')).toBe('[1].ts');
    expect(eventField(parseEvents(JSON.stringify(ev), 'json', 10), 0, 'ts')).toBe('ts');
    const nd = ['', JSON.stringify(ev), '', JSON.stringify(ev)].join('\n');
    expect(eventField(parseEvents(nd, 'ndjson', 10), 1, 'ts')).toBe('line 4: ts');
  });

  it('eval batches: the clock check runs after the schema', () => {
    const runs = parseEvalBatch(JSON.stringify([{ suite: 'q', ts: NOW + DAY_MS, accuracy: 0.5 }]), 10);
    const g = new EventTimeGuard({ now: () => NOW });
    expect(thrown(() => g.check(runs)).field).toBe('[0].ts');
  });
});

describe('numbers: finite and within sane bounds', () => {
  const over: [string, number][] = [
    ['latency_ms', EVENT_LIMITS.maxLatencyMs + 1],
    ['input_tokens', EVENT_LIMITS.maxTokens + 1],
    ['output_tokens', EVENT_LIMITS.maxTokens + 1],
    ['cost_usd', EVENT_LIMITS.maxCostUsd * 2],
    ['cost_usd', Infinity],
    ['latency_ms', Number.MAX_VALUE],
  ];
  it.each(over)('%s = %d is a 400 naming it (zod and the fast path agree)', (field, value) => {
    const ev = { ...ok, ts: NOW, [field]: value };
    expect(fastValidateEvent(ev)).toBeUndefined();
    const r = LlmEvent.safeParse(ev);
    expect(r.success).toBe(false);
    if (Number.isFinite(value)) {
      expect(thrown(() => parseEvents(JSON.stringify([ev]), 'json', 10)).field).toBe(`[0].${field}`);
    }
  });

  it('the limits themselves are accepted, and a full batch of them sums to finite numbers', () => {
    const ev = {
      ...ok,
      ts: NOW,
      latency_ms: EVENT_LIMITS.maxLatencyMs,
      input_tokens: EVENT_LIMITS.maxTokens,
      output_tokens: EVENT_LIMITS.maxTokens,
      cost_usd: EVENT_LIMITS.maxCostUsd,
    };
    expect(fastValidateEvent(ev)).toBeDefined();
    // 10,000 events (a full batch) at the limits: still exact integers, still finite.
    expect(Number.isSafeInteger(EVENT_LIMITS.maxTokens * 10_000)).toBe(true);
    expect(Number.isFinite(EVENT_LIMITS.maxCostUsd * 10_000 * 1_000_000)).toBe(true);
  });

  it('eval numbers: accuracy 0..1, item counts bounded', () => {
    const e = (o: object) =>
      thrown(() => parseEvalBatch(JSON.stringify({ suite: 'q', ts: NOW, accuracy: 1, ...o }), 10));
    expect(e({ accuracy: 1.5 }).field).toBe('accuracy');
    expect(e({ total: 2e9 }).field).toBe('total');
    expect(e({ passed: 1e300 }).field).toBe('passed');
  });

  it('OTLP: a span longer than a day or with absurd token counts is rejected with the field named', () => {
    const span = (o: Partial<OtlpSpan>, tokens = 10): OtlpSpan => ({
      name: 'chat',
      startTimeUnixNano: `${NOW}000000`,
      endTimeUnixNano: `${NOW + 1000}000000`,
      attributes: [
        { key: 'gen_ai.provider.name', value: { stringValue: 'openai' } },
        { key: 'gen_ai.request.model', value: { stringValue: 'gpt-4o' } },
        { key: 'gen_ai.usage.input_tokens', value: { intValue: String(tokens) } },
      ],
      ...o,
    });
    const req = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                span({}),
                span({ endTimeUnixNano: `${NOW + 2 * DAY_MS}000000` }),
                span({}, 5e9),
                span({ startTimeUnixNano: `${NOW + DAY_MS}000000`, endTimeUnixNano: `${NOW + DAY_MS + 1}000000` }),
              ],
            },
          ],
        },
      ],
    };
    const m = mapTraceRequest(req, 10, new EventTimeGuard({ now: () => NOW }));
    expect(m.events).toHaveLength(1);
    expect(m.rejected).toBe(3);
    expect(m.reasons[0]).toMatch(/latency_ms/);
    expect(m.reasons[1]).toMatch(/input_tokens/);
    expect(m.reasons[2]).toMatch(/startTimeUnixNano: .*1 d ahead/);
    // Without the clock (unit use), only the schema's bounds apply.
    expect(mapTraceRequest(req, 10).rejected).toBe(2);
  });
});

describe('snooze bound (escalation.maxSnooze)', () => {
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
  const snooze = (until: string, limits?: { maxSnoozeMs: number }) =>
    applyCommand(alert, { kind: 'snooze', until }, 'ana', NOW, limits);

  it('defaults to 7 days: the year 9999 is a failed result naming the limit', () => {
    expect(snooze('9999-12-31T23:59:59Z')).toEqual({
      ok: false,
      error: '`until` is more than 7d ahead; snoozes are limited to 7d (escalation.maxSnooze)',
    });
    expect(snooze(new Date(NOW + 7 * DAY_MS).toISOString())).toMatchObject({ ok: true, kind: 'snoozed' });
    expect(snooze(new Date(NOW + 7 * DAY_MS + 1).toISOString())).toMatchObject({ ok: false });
  });

  it('follows the config; a garbage until is refused', () => {
    expect(snooze(new Date(NOW + 3 * HOUR_MS).toISOString(), { maxSnoozeMs: 2 * HOUR_MS })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/limited to 2h/),
    });
    expect(snooze('not a time')).toMatchObject({ ok: false });
    const cfg = parseCollectorConfig({ escalation: { maxSnooze: '36h' }, ingest: { maxFutureSkew: '30s' } });
    expect(cfg.ok && [cfg.config.escalation.maxSnooze, cfg.config.ingest.maxFutureSkew]).toEqual([
      36 * HOUR_MS,
      30_000,
    ]);
    expect(parseCollectorConfig({ escalation: { maxSnooze: 0 } }).ok).toBe(false);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fastValidateEvent } from '../../electron/collector/ingest/fast-validate.js';
import { parseEvents } from '../../electron/collector/ingest/parse-events.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { EVENT_LIMITS, LlmEvent } from '../../shared/protocol/events.js';

/** Absent and undefined-valued optional keys mean the same to every consumer: compare without them. */
function defined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

function agree(value: unknown): void {
  const fast = fastValidateEvent(value);
  const zod = LlmEvent.safeParse(value);
  expect(fast !== undefined, JSON.stringify(value)).toBe(zod.success);
  if (fast && zod.success) expect(defined(fast)).toEqual(defined(zod.data));
}

const weird = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
  fc.constant(Number.NaN),
  fc.constant(Infinity),
);
const text = (max: number) =>
  fc.oneof(
    fc.string({ maxLength: 3 }),
    fc.string({ minLength: max - 2, maxLength: max + 2 }),
    fc.constant(''),
    fc.constant('é'.repeat(max)),
  );
const num = fc.oneof(
  fc.double(),
  fc.integer({ min: -5, max: 1_000_000 }),
  fc.constantFrom(-0, 0, 2 ** 53, 2 ** 53 - 1, 2 ** 60, -1, 0.5, Number.MAX_VALUE, Number.MIN_VALUE),
  // The sane bounds (issue 11), either side.
  fc.constantFrom(
    ...[EVENT_LIMITS.maxTsMs, EVENT_LIMITS.maxLatencyMs, EVENT_LIMITS.maxTokens, EVENT_LIMITS.maxCostUsd].flatMap(
      (b) => [b, b + 1, b - 0.5],
    ),
    1796538507000000,
  ),
  weird,
);
const isoDates = fc
  .date({ min: new Date(0), max: new Date(Date.UTC(2100, 0, 1)), noInvalidDate: true })
  .map((d) => d.toISOString());
const ts = fc.oneof(
  isoDates,
  isoDates.map((s) => s.replace('Z', '+05:30')),
  isoDates.map((s) => s.replace(/\.\d+Z$/, 'Z')),
  isoDates.map((s) => s.replace('T', ' ')),
  isoDates.map((s) => s.replace('Z', '')),
  fc.constantFrom(
    '2024-02-29T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T00:00:00.123456789Z',
    '2024-01-01T00:00:00-23:59',
    '2024-01-01T00:00:00+24:00',
    '9999-12-31T23:59:59Z',
    '9999-12-31T23:59:59-14:00',
    '0000-01-01T00:00:00Z',
    '1969-12-31T23:59:59Z',
    'now',
  ),
  fc.string(),
  num,
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.oneof(fc.constant(undefined), arb, weird);

const eventLike = fc.record(
  {
    ts,
    service: fc.oneof(text(200), weird),
    provider: fc.oneof(text(100), weird),
    model: fc.oneof(text(200), weird),
    latency_ms: num,
    input_tokens: num,
    output_tokens: num,
    cost_usd: optional(num),
    status: fc.oneof(fc.constantFrom('ok', 'error', 'OK', ''), weird),
    error_type: optional(text(200)),
    error_message: optional(text(2000)),
    output_label: optional(text(200)),
    retrieval_hit: optional(fc.constantFrom(true, false, 0, 1, 'true')),
    feedback: optional(fc.constantFrom('up', 'down', 'UP', 'neutral')),
    trace_id: fc.string(),
  },
  { requiredKeys: [] },
);

/** Mostly-valid events (each field valid with high probability), so acceptance is exercised too. */
const nearlyValid = fc.record({
  ts: fc.oneof(
    { weight: 8, arbitrary: isoDates },
    { weight: 8, arbitrary: fc.integer({ min: 0, max: 2 ** 45 }) },
    { weight: 1, arbitrary: ts },
  ),
  service: fc.oneof(
    { weight: 10, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
    { weight: 1, arbitrary: text(200) },
  ),
  provider: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom('openai', 'anthropic') },
    { weight: 1, arbitrary: text(100) },
  ),
  model: fc.oneof({ weight: 10, arbitrary: fc.constantFrom('gpt-4o', 'x') }, { weight: 1, arbitrary: text(200) }),
  latency_ms: fc.oneof(
    { weight: 10, arbitrary: fc.double({ min: 0, max: 1e6, noNaN: true }) },
    { weight: 1, arbitrary: num },
  ),
  input_tokens: fc.oneof({ weight: 10, arbitrary: fc.nat({ max: 1e9 }) }, { weight: 1, arbitrary: num }),
  output_tokens: fc.oneof({ weight: 10, arbitrary: fc.nat({ max: 1e9 }) }, { weight: 1, arbitrary: num }),
  status: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom('ok', 'error') },
    { weight: 1, arbitrary: fc.constant('bad') },
  ),
  cost_usd: fc.option(fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), num), { nil: undefined }),
  error_type: fc.option(text(200), { nil: undefined }),
  output_label: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
  retrieval_hit: fc.option(fc.boolean(), { nil: undefined }),
  feedback: fc.option(fc.constantFrom('up', 'down', 'meh'), { nil: undefined }),
});

describe('fastValidateEvent ≡ LlmEvent (zod)', () => {
  it('accepts and rejects exactly what the zod schema does, with the same output (random shapes)', () => {
    fc.assert(
      fc.property(eventLike, (v) => agree(v)),
      { numRuns: 3000 },
    );
  });

  it('the same on mostly-valid events', () => {
    let accepted = 0;
    fc.assert(
      fc.property(nearlyValid, (v) => {
        agree(v);
        if (fastValidateEvent(v)) accepted++;
      }),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(300);
  });

  it('agrees on non-objects and JSON round-trips', () => {
    for (const v of [null, undefined, 1, 'x', [], [{}], true]) agree(v);
    fc.assert(
      fc.property(nearlyValid, (v) => agree(JSON.parse(JSON.stringify(v)))),
      { numRuns: 500 },
    );
  });

  it('drops unknown keys and turns ISO ts into epoch ms', () => {
    const e = fastValidateEvent({
      ts: '2026-11-01T00:00:00.250+01:00',
      service: 's',
      provider: 'p',
      model: 'm',
      latency_ms: 1,
      input_tokens: 2,
      output_tokens: 3,
      status: 'ok',
      trace_id: 'abc',
    });
    expect(e && defined(e)).toEqual({
      ts: Date.UTC(2026, 9, 31, 23, 0, 0, 250),
      service: 's',
      provider: 'p',
      model: 'm',
      latency_ms: 1,
      input_tokens: 2,
      output_tokens: 3,
      status: 'ok',
    });
  });
});

describe('parseEvents with the fast path', () => {
  const line = (o: Record<string, unknown>) =>
    JSON.stringify({
      ts: 1,
      service: 's',
      provider: 'p',
      model: 'm',
      latency_ms: 1,
      input_tokens: 1,
      output_tokens: 1,
      status: 'ok',
      ...o,
    });

  it('still names the line and field zod names when a line is invalid', () => {
    const body = [line({}), '', line({ latency_ms: -1 })].join('\n');
    const err = (() => {
      try {
        parseEvents(body, 'ndjson', 10);
      } catch (e) {
        return e as HttpError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(HttpError);
    expect(err?.status).toBe(400);
    expect(err?.field).toBe('line 3: latency_ms');
  });

  it('malformed JSON is a 400 naming the line; too many events a 413; whitespace around lines is fine', () => {
    expect(() => parseEvents(`${line({})}\n{nope`, 'ndjson', 10)).toThrow(/line 2/);
    expect(() => parseEvents([line({}), line({}), line({})].join('\n'), 'ndjson', 2)).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    expect(parseEvents(`  ${line({})}\r\n\t${line({ ts: 2 })}  \n\n`, 'ndjson', 10).map((e) => e.ts)).toEqual([1, 2]);
  });
});

import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/protocol/alert.js';
import { encodeTraceRequest } from '../../electron/collector/ingest/otlp/trace-proto.js';
import { randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/** Issue 11: a JSON body that is not valid UTF-8 is a 400 `invalid_encoding` on every route, never U+FFFD. */
const ROOT = resolve(import.meta.dirname, '../..');
const ROUTING_KEY = 'r0ut1ng-key-for-encoding-tests-01';

let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({
    token: randomToken(),
    configYaml: ['integrations:', '  eventsV2:', `    routingKeys: ["${ROUTING_KEY}"]`, ''].join('\n'),
  });
});
afterAll(async () => {
  await c.stop();
});

/** Invalid UTF-8: a stray byte, an overlong '/', an encoded surrogate (CESU-8), a cut-off sequence. */
const BAD: Record<string, number[]> = {
  'stray 0xff': [0xff],
  'overlong /': [0xc0, 0xaf],
  'encoded surrogate': [0xed, 0xa0, 0x80],
  'truncated euro sign': [0xe2, 0x82],
};

/** `json` with the placeholder `@@` (inside a JSON string) replaced by raw bytes. */
function withBytes(json: string, bytes: number[]): Buffer {
  const [before, after] = json.split('@@');
  return Buffer.concat([Buffer.from(before ?? ''), Buffer.from(bytes), Buffer.from(after ?? '')]);
}

async function post(
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}`, ...headers },
    body: new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}

const event = (service: string): string =>
  JSON.stringify({
    ts: Date.parse('2026-01-01T00:00:00Z'),
    service,
    provider: 'openai',
    model: 'gpt-4o',
    latency_ms: 5,
    input_tokens: 1,
    output_tokens: 1,
    status: 'ok',
  });

const amBody = (summary: string): string =>
  JSON.stringify({
    ...(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/alertmanager-firing.json'), 'utf8')) as object),
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'Enc', severity: 'critical' },
        annotations: { summary },
        startsAt: '2026-01-01T00:00:00Z',
        fingerprint: `enc-${summary.length}-${Buffer.from(summary).toString('hex').slice(0, 16)}`,
      },
    ],
  });

const otlp = (): string => {
  const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/otlp-genai.json'), 'utf8')) as {
    resourceSpans: { resource: { attributes: { value: { stringValue: string } }[] } }[];
  };
  const attr = doc.resourceSpans[0]?.resource.attributes[0];
  if (attr) attr.value.stringValue = 'svc-@@';
  return JSON.stringify(doc);
};

/** Every JSON door, as [name, path, body with @@, extra headers, gzip]. */
const ROUTES: [string, string, string, Record<string, string>, boolean][] = [
  ['events (JSON)', '/v1/events', `[${event('svc-@@')}]`, {}, false],
  [
    'events (NDJSON)',
    '/v1/events',
    `${event('a')}\n${event('svc-@@')}\n`,
    { 'content-type': 'application/x-ndjson' },
    false,
  ],
  ['evals', '/v1/evals', JSON.stringify({ suite: 'qa-@@', ts: 1_763_600_000_000, accuracy: 0.5 }), {}, false],
  ['alertmanager', '/v1/integrations/alertmanager', amBody('down @@'), {}, false],
  [
    'events-v2',
    '/v1/integrations/events-v2',
    JSON.stringify({
      routing_key: 'x',
      event_action: 'trigger',
      payload: { summary: 'down @@', source: 's', severity: 'critical' },
    }),
    {},
    false,
  ],
  ['OTLP JSON', '/v1/traces', otlp(), {}, false],
  ['OTLP JSON, gzip', '/v1/traces', otlp(), { 'content-encoding': 'gzip' }, true],
];

describe('invalid UTF-8 in a JSON body', () => {
  for (const [name, path, template, headers, gzip] of ROUTES) {
    it(`${name}: 400 invalid_encoding for every kind of bad sequence`, async () => {
      for (const [kind, bytes] of Object.entries(BAD)) {
        const raw = withBytes(template, bytes);
        const r = await post(path, gzip ? gzipSync(raw) : raw, headers);
        expect(r.status, `${name} / ${kind}`).toBe(400);
        expect(r.body, `${name} / ${kind}`).toMatchObject({ error: { code: 'invalid_encoding' } });
      }
      // The same body with valid UTF-8 in that place is accepted.
      const ok = withBytes(template, [...Buffer.from('é☕🚀')]);
      const r = await post(path, gzip ? gzipSync(ok) : ok, headers);
      expect(r.status, `${name} valid`).toBeLessThan(300);
    });
  }

  it('valid multi-byte text arrives intact (no replacement characters); a leading BOM is accepted', async () => {
    const summary = 'café ☕ 🚀 — 東京';
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(amBody(summary))]);
    expect((await post('/v1/integrations/alertmanager', body)).status).toBe(200);
    const res = await fetch(`${c.url}/v1/alerts`, { headers: { authorization: `Bearer ${c.token}` } });
    const { alerts } = (await res.json()) as { alerts: Alert[] };
    expect(alerts.some((a) => a.summary === summary)).toBe(true);
    expect(alerts.some((a) => a.summary.includes('\uFFFD'))).toBe(false);
  });

  it('OTLP protobuf bodies are binary and not checked as UTF-8', async () => {
    const doc = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/otlp-genai.json'), 'utf8')) as unknown;
    const proto = Buffer.from(encodeTraceRequest(doc));
    expect(isUtf8(proto)).toBe(false); // span ids are raw bytes
    const r = await fetch(`${c.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${c.token}` },
      body: proto,
    });
    expect(r.status).toBe(200);
  });
});

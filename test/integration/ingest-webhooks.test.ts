import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Alert } from '../../shared/protocol/alert.js';
import { connectStream, postEvents, randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ROUTING_KEY = 'r0ut1ng-key-for-tests-0123456789';
const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(ROOT, 'test/fixtures', name), 'utf8')) as Record<string, unknown>;

let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({
    token: randomToken(),
    configYaml: [
      'ingest:',
      '  maxBatchEvents: 50',
      'integrations:',
      '  eventsV2:',
      `    routingKeys: ["${ROUTING_KEY}"]`,
      'evals:',
      '  jobs:',
      '    - suite: nightly',
      `      command: [${JSON.stringify(process.execPath)}, "-e", "console.log(JSON.stringify({accuracy: 0.7, total: 10, passed: 7}))"]`,
      '      schedule: 1h',
      '',
    ].join('\n'),
  });
});
afterAll(async () => {
  await c.stop();
});

async function post(
  path: string,
  body: unknown,
  opts: { auth?: boolean; raw?: boolean } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.auth !== false) headers.authorization = `Bearer ${c.token}`;
  const res = await fetch(`${c.url}${path}`, {
    method: 'POST',
    headers,
    body: opts.raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function alerts(): Promise<Alert[]> {
  const res = await fetch(`${c.url}/v1/alerts`, { headers: { authorization: `Bearer ${c.token}` } });
  return ((await res.json()) as { alerts: Alert[] }).alerts;
}

function amAlert(
  over: Record<string, unknown>,
  labels: Record<string, string> = {},
  annotations: Record<string, string> = {},
): Record<string, unknown> {
  const body = fixture('alertmanager-firing.json');
  const [first] = body.alerts as Record<string, unknown>[];
  return {
    ...body,
    alerts: [
      {
        ...first,
        labels: { ...(first?.labels as object), ...labels },
        annotations: { ...(first?.annotations as object), ...annotations },
        ...over,
      },
    ],
  };
}

describe('POST /v1/integrations/alertmanager', () => {
  it('turns the documented v4 payload into a live alert, deduplicated by fingerprint, resolved by the resolved payload', async () => {
    const stream = await connectStream(c.url, c.token);
    try {
      const first = await post('/v1/integrations/alertmanager', fixture('alertmanager-firing.json'));
      expect(first).toEqual({ status: 200, body: { fired: 1, resolved: 0, unchanged: 0 } });
      const frame = await stream.waitFor((f) => f.type === 'event' && (f.alert as Alert).source === 'alertmanager');
      const alert = frame.alert as Alert;
      expect(alert).toMatchObject({
        ruleId: 'am:ProbeFailure',
        tier: 'page',
        status: 'firing',
        summary: 'BlackBox Probe Failure: https://server.example.org',
        firedAt: '2023-02-06T13:08:45.828Z',
        labels: {
          alertname: 'ProbeFailure',
          instance: 'https://server.example.org',
          severity: 'critical',
          fingerprint: '1a30ba71cca2921f',
        },
      });

      const again = await post('/v1/integrations/alertmanager', fixture('alertmanager-firing.json'));
      expect(again.body).toEqual({ fired: 0, resolved: 0, unchanged: 1 });
      expect((await alerts()).filter((a) => a.ruleId === 'am:ProbeFailure')).toHaveLength(1);

      const resolved = await post('/v1/integrations/alertmanager', fixture('alertmanager-resolved.json'));
      expect(resolved.body).toEqual({ fired: 0, resolved: 1, unchanged: 0 });
      const after = (await alerts()).find((a) => a.id === alert.id);
      expect(after).toMatchObject({ status: 'resolved', resolvedAt: '2023-02-06T13:23:45.828Z' });
      await stream.waitFor((f) => f.type === 'event' && f.kind === 'resolved' && f.alertId === alert.id);
    } finally {
      await stream.close();
    }
  });

  it('honours the severity label and the runbook_url annotation', async () => {
    const warn = await post(
      '/v1/integrations/alertmanager',
      amAlert(
        { fingerprint: 'f-warning' },
        { alertname: 'LLMHighErrorRate', severity: 'warning' },
        { runbook_url: 'https://wiki.example.com/runbooks/error-rate.md' },
      ),
    );
    expect(warn.body.fired).toBe(1);
    const info = await post(
      '/v1/integrations/alertmanager',
      amAlert({ fingerprint: 'f-info' }, { alertname: 'Info', severity: 'info' }, { summary: '' }),
    );
    expect(info.body.fired).toBe(1);
    const none = amAlert(
      { fingerprint: 'f-none' },
      { alertname: 'NoSeverity' },
      { runbook_url: 'https://example.com/unknown' },
    );
    delete ((none.alerts as Record<string, Record<string, string>>[])[0]?.labels as Record<string, string>).severity;
    expect((await post('/v1/integrations/alertmanager', none)).body.fired).toBe(1);

    const all = await alerts();
    expect(all.find((a) => a.ruleId === 'am:LLMHighErrorRate')).toMatchObject({
      tier: 'ticket',
      runbookId: 'error-rate',
      labels: { runbook_url: 'https://wiki.example.com/runbooks/error-rate.md' },
    });
    expect(all.find((a) => a.ruleId === 'am:Info')?.tier).toBe('review');
    const noSev = all.find((a) => a.ruleId === 'am:NoSeverity');
    expect(noSev?.tier).toBe('ticket'); // integrations.alertmanager.defaultTier
    expect(noSev?.runbookId).toBeUndefined();
    expect(noSev?.labels.runbook_url).toBe('https://example.com/unknown');
  });

  it('rejects malformed bodies with 400 naming the field, and requires the bearer token', async () => {
    const cases: [unknown, string][] = [
      [{ ...fixture('alertmanager-firing.json'), version: '3' }, 'version'],
      [amAlert({ fingerprint: undefined }), 'alerts[0].fingerprint'],
      [amAlert({ status: 'exploded' }), 'alerts[0].status'],
      [amAlert({ startsAt: 'yesterday' }), 'alerts[0].startsAt'],
      [amAlert({}, { severity: 5 as unknown as string }), 'alerts[0].labels.severity'],
      [{ ...fixture('alertmanager-firing.json'), alerts: 'none' }, 'alerts'],
      [[], '(root)'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/v1/integrations/alertmanager', body);
      expect(r.status, field).toBe(400);
      expect((r.body.error as { field: string }).field).toBe(field);
    }
    expect((await post('/v1/integrations/alertmanager', '{"version":', { raw: true })).body).toMatchObject({
      error: { code: 'invalid_json' },
    });
    expect(
      (await post('/v1/integrations/alertmanager', fixture('alertmanager-firing.json'), { auth: false })).status,
    ).toBe(401);
  });
});

describe('POST /v1/integrations/events-v2', () => {
  it('follows PagerDuty semantics for the documented trigger / acknowledge / resolve bodies', async () => {
    const trigger = await post('/v1/integrations/events-v2', fixture('events-v2-trigger.json'));
    expect(trigger).toEqual({
      status: 202,
      body: { status: 'success', message: 'Event processed', dedup_key: 'samplekeyhere' },
    });
    expect((await post('/v1/integrations/events-v2', fixture('events-v2-trigger.json'))).status).toBe(202);
    const mine = (await alerts()).filter((a) => a.source === 'events-v2' && a.labels.dedup_key === 'samplekeyhere');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      ruleId: 'ev2:deploy',
      tier: 'review',
      status: 'firing',
      summary: 'Example alert on host1.example.com',
      firedAt: '2015-07-17T08:42:58.315Z',
      labels: {
        component: 'postgres',
        group: 'prod-datapipe',
        class: 'deploy',
        severity: 'info',
        link: 'https://example.com/',
      },
    });

    expect((await post('/v1/integrations/events-v2', fixture('events-v2-acknowledge.json'))).status).toBe(202);
    expect((await alerts()).find((a) => a.id === mine[0]?.id)).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'events-v2',
    });
    expect((await post('/v1/integrations/events-v2', fixture('events-v2-resolve.json'))).status).toBe(202);
    expect((await alerts()).find((a) => a.id === mine[0]?.id)?.status).toBe('resolved');
    // An unknown key is accepted and changes nothing, as PagerDuty does.
    expect(
      (await post('/v1/integrations/events-v2', { ...fixture('events-v2-resolve.json'), dedup_key: 'never-seen' }))
        .status,
    ).toBe(202);
  });

  it('generates a dedup_key when absent and maps severity to tier', async () => {
    const r = await post('/v1/integrations/events-v2', {
      routing_key: 'anything',
      event_action: 'trigger',
      payload: { summary: 'GPU node down', source: 'gpu-7', severity: 'critical' },
    });
    expect(r.status).toBe(202);
    expect(r.body.dedup_key).toMatch(/^[0-9a-f]{32}$/);
    const a = (await alerts()).find((x) => x.labels.dedup_key === r.body.dedup_key);
    expect(a).toMatchObject({ tier: 'page', ruleId: 'ev2:gpu-7', source: 'events-v2' });
  });

  it('accepts a configured routing_key instead of the bearer token, and nothing else', async () => {
    const body = {
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      payload: { summary: 'from PD-style sender', source: 'x', severity: 'warning' },
    };
    const ok = await post('/v1/integrations/events-v2', body, { auth: false });
    expect(ok.status).toBe(202);
    expect((await alerts()).find((a) => a.labels.dedup_key === ok.body.dedup_key)?.tier).toBe('ticket');
    expect(
      (await post('/v1/integrations/events-v2', { ...body, routing_key: 'wrong-key-wrong-key-wrong' }, { auth: false }))
        .status,
    ).toBe(401);
    expect((await post('/v1/integrations/events-v2', '{bad', { auth: false, raw: true })).status).toBe(401);
  });

  it("answers invalid events with PagerDuty's 400 shape, naming each field", async () => {
    const base = fixture('events-v2-trigger.json');
    const payload = base.payload as Record<string, unknown>;
    const cases: [unknown, string][] = [
      [{ ...base, routing_key: undefined }, 'routing_key'],
      [{ ...base, event_action: 'explode' }, 'event_action'],
      [{ ...base, payload: { ...payload, severity: 'fatal' } }, 'payload.severity'],
      // Identity fields over their bound are rejected; a long summary is cut instead (see door-bounds.test.ts).
      [{ ...base, payload: { ...payload, source: 'x'.repeat(1025) } }, 'payload.source'],
      [{ ...base, payload: { ...payload, source: undefined } }, 'payload.source'],
      [{ ...base, payload: { ...payload, timestamp: 'last tuesday' } }, 'payload.timestamp'],
      [{ ...base, payload: undefined }, 'payload'],
      [{ ...fixture('events-v2-acknowledge.json'), dedup_key: undefined }, 'dedup_key'],
      [{ ...base, links: [{ text: 'no href' }] }, 'links.0.href'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/v1/integrations/events-v2', body);
      expect(r.status, field).toBe(400);
      expect(r.body).toMatchObject({ status: 'invalid event', message: 'Event object is invalid' });
      expect(
        (r.body.errors as string[]).some((e) => e.startsWith(`${field}:`)),
        `${field} in ${JSON.stringify(r.body.errors)}`,
      ).toBe(true);
    }
    const junk = await post('/v1/integrations/events-v2', '{"routing_key":', { raw: true });
    expect(junk.status).toBe(400);
    expect(junk.body.status).toBe('invalid event');
  });
});

describe('POST /v1/evals, POST /v1/events flags, GET /metrics', () => {
  it('stores eval results (one or an array) and rejects bad ones naming the field', async () => {
    expect(
      await post('/v1/evals', [
        { suite: 'qa', ts: '2026-11-20T00:00:00Z', accuracy: 0.91, passed: 91, total: 100 },
        { suite: 'qa', ts: 1_763_600_000_000, accuracy: 0.88 },
      ]),
    ).toEqual({
      status: 200,
      body: { accepted: 2 },
    });
    expect((await post('/v1/evals', { suite: 'rag', ts: 1_763_600_000_000, accuracy: 1 })).body).toEqual({
      accepted: 1,
    });
    const bad = await post('/v1/evals', [
      { suite: 'qa', ts: 1, accuracy: 0.5 },
      { suite: 'qa', ts: 1, accuracy: -0.1 },
    ]);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: '[1].accuracy' } } });
    const db = new Database(join(c.dataDir, 'collector.db'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT suite, ts, accuracy, passed, total, origin FROM eval_runs WHERE origin = 'http' ORDER BY id")
        .all();
      expect(rows).toEqual([
        { suite: 'qa', ts: Date.parse('2026-11-20T00:00:00Z'), accuracy: 0.91, passed: 91, total: 100, origin: 'http' },
        { suite: 'qa', ts: 1_763_600_000_000, accuracy: 0.88, passed: null, total: null, origin: 'http' },
        { suite: 'rag', ts: 1_763_600_000_000, accuracy: 1, passed: null, total: null, origin: 'http' },
      ]);
    } finally {
      db.close();
    }
  });

  it('runs configured eval jobs inside the collector', async () => {
    const db = new Database(join(c.dataDir, 'collector.db'), { readonly: true });
    try {
      const query = db.prepare(
        "SELECT suite, accuracy, passed, total, origin FROM eval_runs WHERE origin = 'scheduler'",
      );
      for (let i = 0; i < 100 && query.all().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(query.all()).toEqual([{ suite: 'nightly', accuracy: 0.7, passed: 7, total: 10, origin: 'scheduler' }]);
    } finally {
      db.close();
    }
  });

  it('flags unknown models (stored, counted, cost NULL) and answers 413 past the batch size', async () => {
    const ev = {
      ts: 1_763_600_000_000,
      service: 's',
      provider: 'acme',
      model: 'acme-x',
      latency_ms: 5,
      input_tokens: 1,
      output_tokens: 1,
      status: 'ok' as const,
    };
    expect((await postEvents(c.url, c.token, [ev, { ...ev, provider: 'openai', model: 'gpt-4o' }])).status).toBe(200);
    const db = new Database(join(c.dataDir, 'collector.db'), { readonly: true });
    try {
      const rows = db.prepare("SELECT model, cost_usd, unpriced FROM events WHERE service = 's' ORDER BY model").all();
      expect(rows).toEqual([
        { model: 'acme-x', cost_usd: null, unpriced: 1 },
        { model: 'gpt-4o', cost_usd: (2.5 + 10) / 1e6, unpriced: 0 },
      ]);
    } finally {
      db.close();
    }
    const tooMany = await postEvents(
      c.url,
      c.token,
      Array.from({ length: 51 }, () => ev),
    );
    expect(tooMany.status).toBe(413);
  });

  it('exposes valid Prometheus text with every ingest counter', async () => {
    const res = await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.token}` } });
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const typed = new Map<string, string>();
    const helped = new Set<string>();
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*")*\})? (-?\d+(\.\d+)?(e[+-]?\d+)?|NaN|\+Inf|-Inf)$/;
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.trimEnd().split('\n')) {
      const help = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+$/.exec(line);
      const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (help?.[1]) {
        expect(helped.has(help[1]), `duplicate HELP ${help[1]}`).toBe(false);
        helped.add(help[1]);
      } else if (type?.[1] && type[2]) {
        expect(typed.has(type[1]), `duplicate TYPE ${type[1]}`).toBe(false);
        typed.set(type[1], type[2]);
      } else {
        const m = sample.exec(line);
        expect(m, `not a valid sample line: ${line}`).not.toBeNull();
        expect(typed.has(m?.[1] ?? ''), `sample before its TYPE: ${line}`).toBe(true);
      }
    }
    for (const name of [
      'vigil_http_requests_total',
      'vigil_events_by_source_total',
      'vigil_otlp_spans_total',
      'vigil_events_unpriced_total',
      'vigil_eval_runs_total',
      'vigil_alerts_by_source_total',
      'vigil_integration_events_total',
      'vigil_ws_clients',
    ]) {
      expect(typed.has(name), name).toBe(true);
    }
    expect(typed.get('vigil_ws_clients')).toBe('gauge');
    expect(text).toMatch(/vigil_alerts_by_source_total\{source="alertmanager",tier="page"\} 1/);
    expect(text).toMatch(/vigil_alerts_by_source_total\{source="events-v2",tier="review"\} 1/);
    expect(text).toMatch(/vigil_eval_runs_total\{origin="http",outcome="ok"\} 3/);
    expect(text).toMatch(/vigil_eval_runs_total\{origin="scheduler",outcome="ok"\} 1/);
    expect(text).toMatch(/vigil_http_requests_total\{code="202",route="POST \/v1\/integrations\/events-v2"\} \d+/);
    expect(text).toMatch(/vigil_integration_events_total\{action="firing",integration="alertmanager"\} \d+/);
    expect(text).toContain('vigil_events_unpriced_total 1');
  });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'electron/collector/cli.ts', ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('collector --print-config', () => {
  it('prints the effective config as YAML (token redacted) and exits 0', async () => {
    const file = join(c.dataDir, 'print.yaml');
    writeFileSync(
      file,
      `token: "${'t'.repeat(20)}"\nevals:\n  jobs:\n    - suite: qa\n      command: ["node", "qa.js"]\n      schedule: "daily@02:30"\n`,
    );
    const r = await runCli(['--print-config', '--config', file]);
    expect(r.code, r.stderr).toBe(0);
    const cfg = parseYaml(r.stdout) as Record<string, Record<string, unknown>>;
    expect(cfg.token).toBe('<redacted>');
    expect(cfg.evals).toEqual({
      maxSuites: 500,
      jobs: [{ suite: 'qa', command: ['node', 'qa.js'], schedule: 'daily@02:30', timeout: 600_000 }],
    });
    expect(cfg.ingest).toMatchObject({ maxBatchEvents: 10_000 });
    // Issue 17 added the silence-on-ack keys (off without a url).
    expect(cfg.integrations).toEqual({
      alertmanager: { defaultTier: 'ticket', silenceOnAck: false, silenceDuration: 4 * 3_600_000, timeout: 5_000 },
      eventsV2: { routingKeys: [] },
    });

    const defaults = await runCli(['--print-config']);
    expect(defaults.code).toBe(0);
    expect((parseYaml(defaults.stdout) as Record<string, unknown>).token).toBeUndefined();
  });

  it('exits non-zero naming the path and reason of a bad config', async () => {
    const file = join(c.dataDir, 'bad.yaml');
    writeFileSync(file, 'evals:\n  jobs:\n    - suite: qa\n      command: "x"\n      timeout: forever\n');
    const r = await runCli(['--print-config', '--config', file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(/evals\.jobs\.0\.timeout/);
    expect(r.stdout).toBe('');
    const missing = await runCli(['--print-config', '--config', join(c.dataDir, 'nope.yaml')]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('cannot read config');
  });
});

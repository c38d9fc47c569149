import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import { AlertmanagerWebhook } from '../../shared/protocol/alertmanager.js';
import { EventsV2Event } from '../../shared/protocol/events-v2.js';
import { parseEvalBatch } from '../../electron/collector/evals/eval-intake.js';
import { parseJobOutput } from '../../electron/collector/evals/run-job.js';
import { firstDue, nextDaily, nextDue, parseSchedule } from '../../electron/collector/evals/schedule.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { escapeLabelValue, IngestMetrics } from '../../electron/collector/ingest/ingest-metrics.js';
import { runbookIdFromUrl } from '../../electron/collector/integrations/runbook-link.js';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures', name), 'utf8')) as unknown;
const H = 3_600_000;

function thrown(fn: () => unknown): HttpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof HttpError) return e;
    throw e;
  }
  throw new Error('expected an HttpError');
}

describe('eval schedules', () => {
  it('parses intervals and daily times; plain daily is 03:00', () => {
    expect(parseSchedule('1h')).toEqual({ kind: 'interval', everyMs: H });
    expect(parseSchedule('90s')).toEqual({ kind: 'interval', everyMs: 90_000 });
    expect(parseSchedule('daily@22:30')).toEqual({ kind: 'daily', hour: 22, minute: 30 });
    expect(parseSchedule('daily')).toEqual({ kind: 'daily', hour: 3, minute: 0 });
    expect(() => parseSchedule('weekly')).toThrow();
  });

  it('finds the next daily slot in the team time zone, across DST', () => {
    // 2026-03-08 is the US spring-forward day: 03:00 New York is 07:00Z that morning (EDT), 08:00Z the day before (EST).
    const before = Date.parse('2026-03-07T09:00:00Z');
    expect(new Date(nextDaily(3, 0, before, 'America/New_York')).toISOString()).toBe('2026-03-08T07:00:00.000Z');
    const dayBefore = Date.parse('2026-03-07T07:00:00Z');
    expect(new Date(nextDaily(3, 0, dayBefore, 'America/New_York')).toISOString()).toBe('2026-03-07T08:00:00.000Z');
    // Exactly at the slot: the next one.
    const at = Date.parse('2026-03-07T08:00:00Z');
    expect(nextDaily(3, 0, at, 'America/New_York')).toBe(Date.parse('2026-03-08T07:00:00Z'));
  });

  it('runs intervals at once on first start and skips missed slots instead of replaying them', () => {
    const s = parseSchedule('1h');
    expect(firstDue(s, 1_000, 'UTC')).toBe(1_000);
    expect(nextDue(s, 0, 10 * 60_000, 'UTC')).toBe(H);
    // Down for a day: one catch-up run now, then an hour from now.
    expect(nextDue(s, 0, 24 * H + 5, 'UTC')).toBe(25 * H + 5);
    const d = parseSchedule('daily@03:00');
    expect(firstDue(d, Date.parse('2026-01-01T04:00:00Z'), 'UTC')).toBe(Date.parse('2026-01-02T03:00:00Z'));
  });

  it('validates eval jobs in the config, naming the path', () => {
    const ok = parseCollectorConfig({ evals: { jobs: [{ suite: 'qa', command: ['node', 'eval.js'] }] } });
    expect(ok.ok && ok.config.evals.jobs[0]).toMatchObject({ schedule: 'daily', timeout: 600_000 });
    const bad = parseCollectorConfig({
      evals: {
        jobs: [
          { suite: 'qa', command: 'x', schedule: 'weekly' },
          { suite: 'qa', command: [] },
        ],
      },
    });
    expect(bad.ok).toBe(false);
    const errors = bad.ok ? [] : bad.errors.join('\n');
    expect(errors).toMatch(/evals\.jobs\.0\.schedule: expected "daily"/);
    expect(errors).toMatch(/evals\.jobs\.1\.command/);
    const dup = parseCollectorConfig({
      evals: {
        jobs: [
          { suite: 'qa', command: 'a' },
          { suite: 'qa', command: 'b' },
        ],
      },
    });
    expect(dup.ok ? '' : dup.errors.join()).toMatch(/evals\.jobs\.1\.suite: duplicate suite "qa"/);
    const shortKey = parseCollectorConfig({ integrations: { eventsV2: { routingKeys: ['short'] } } });
    expect(shortKey.ok ? '' : shortKey.errors.join()).toMatch(/integrations\.eventsV2\.routingKeys\.0/);
  });
});

describe('eval results', () => {
  it('reads the LAST JSON line of a job', () => {
    expect(
      parseJobOutput('starting\n{"accuracy":0.1}\nprogress 50%\n{"accuracy":0.92,"total":50,"passed":46}\n'),
    ).toEqual({
      ok: true,
      output: { accuracy: 0.92, total: 50, passed: 46 },
    });
    expect(parseJobOutput('no json here')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('no JSON result line') as unknown,
    });
    expect(parseJobOutput('{"accuracy": 1.5}')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('accuracy') as unknown,
    });
  });

  it('accepts one result or an array, and names the bad element', () => {
    expect(parseEvalBatch('{"suite":"qa","ts":"2026-11-01T00:00:00Z","accuracy":0.9}', 10)).toEqual([
      { suite: 'qa', ts: Date.parse('2026-11-01T00:00:00Z'), accuracy: 0.9 },
    ]);
    expect(
      parseEvalBatch('[{"suite":"a","ts":1,"accuracy":0},{"suite":"b","ts":2,"accuracy":1,"passed":5,"total":5}]', 10),
    ).toHaveLength(2);
    expect(
      thrown(() => parseEvalBatch('[{"suite":"a","ts":1,"accuracy":0},{"suite":"b","ts":2,"accuracy":2}]', 10)),
    ).toMatchObject({
      status: 400,
      field: '[1].accuracy',
    });
    expect(thrown(() => parseEvalBatch('{"ts":1,"accuracy":0.5}', 10))).toMatchObject({ status: 400, field: 'suite' });
    expect(thrown(() => parseEvalBatch('{"suite":"a","ts":1,"accuracy":0.5,"total":0}', 10))).toMatchObject({
      field: 'total',
    });
    expect(thrown(() => parseEvalBatch('"x"', 10))).toMatchObject({ status: 400, field: '(root)' });
    expect(thrown(() => parseEvalBatch('[{', 10))).toMatchObject({ status: 400, code: 'invalid_json' });
    expect(thrown(() => parseEvalBatch('', 10))).toMatchObject({ status: 400 });
    expect(
      thrown(() => parseEvalBatch(JSON.stringify(Array(11).fill({ suite: 'a', ts: 1, accuracy: 1 })), 10)),
    ).toMatchObject({ status: 413 });
  });
});

describe('integration payloads', () => {
  it('accepts the documented Alertmanager v4 and PagerDuty Events v2 bodies', () => {
    expect(AlertmanagerWebhook.safeParse(fixture('alertmanager-firing.json')).success).toBe(true);
    expect(AlertmanagerWebhook.safeParse(fixture('alertmanager-resolved.json')).success).toBe(true);
    for (const f of ['events-v2-trigger.json', 'events-v2-acknowledge.json', 'events-v2-resolve.json']) {
      expect(EventsV2Event.safeParse(fixture(f)).success, f).toBe(true);
    }
  });

  it('maps runbook_url to a known runbook id only', () => {
    const known = (id: string): boolean => ['provider-down', 'error-rate'].includes(id);
    expect(runbookIdFromUrl('provider-down', known)).toBe('provider-down');
    expect(runbookIdFromUrl('https://wiki.example.com/runbooks/error-rate', known)).toBe('error-rate');
    expect(
      runbookIdFromUrl('https://github.com/acme/vigil/blob/main/runbooks/provider-down.md?plain=1#steps', known),
    ).toBe('provider-down');
    expect(runbookIdFromUrl('https://wiki.example.com/runbooks/error-rate/', known)).toBe('error-rate');
    expect(runbookIdFromUrl('https://myrunbook.com/runbook/1234', known)).toBeUndefined();
  });
});

describe('ingest metrics', () => {
  it('escapes label values and keeps route labels bounded', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const m = new IngestMetrics();
    m.request('GET', '/random/path/123', 404);
    m.request('POST', '/v1/traces', 200);
    m.request('POST', '/v1/traces', 200);
    const text = m.render().join('\n');
    expect(text).toContain('vigil_http_requests_total{code="404",route="other"} 1');
    expect(text).toContain('vigil_http_requests_total{code="200",route="POST /v1/traces"} 2');
  });
});

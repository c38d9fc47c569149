import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HIGHLIGHT_END, HIGHLIGHT_START, type RunbookDoc } from '../../shared/runbooks/schema.js';
import { openCache, type Cache } from '../../electron/main/services/cache/index.js';
import { createAppServices, type AppServices } from '../../electron/main/services/app-services.js';
import { openRunbookCache, type RunbookCache } from '../../electron/main/services/runbooks/index.js';
import { errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };

function doc(id: string, title: string, prose: string): RunbookDoc {
  const meta = {
    id,
    title,
    serves: [id],
    tier: 'page' as const,
    owner: 'team',
    last_reviewed: '2026-01-01',
    escalation: [{ role: 'r', contact: 'c' }],
  };
  return {
    id,
    title,
    tier: 'page',
    serves: [id],
    version: `v-${id}`,
    markdown: prose,
    meta,
    tree: {
      intro: [],
      steps: [
        {
          id: '1',
          title: 'Check',
          blocks: [{ kind: 'markdown', text: prose }],
          branches: [{ label: 'Done', target: { kind: 'stop' } }],
        },
      ],
    },
  };
}

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('runbook cache (FTS5)', () => {
  let dir: string;
  let cache: Cache;
  let runbooks: RunbookCache;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-rbcache-'));
    cache = openCache(join(dir, 'cache.db'), { now: '2026-01-01T00:00:00.000Z' });
    runbooks = openRunbookCache(cache.path);
    runbooks.put(
      [
        doc(
          'retry-storm',
          'Retry storm without backoff',
          'Retries multiply calls. Check the retry loop and add backoff.',
        ),
        doc('cost', 'Cost anomaly', 'Spend jumped. A retry loop is one cause; abuse is another.'),
        doc('latency', 'Latency', 'Slow provider. Nothing about the thing we search for.'),
      ],
      '2026-01-01T00:00:00.000Z',
    );
  });
  afterAll(() => {
    runbooks.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ranks with bm25 (title hits first) and highlights the snippet', () => {
    const hits = runbooks.search('retry');
    expect(hits.map((h) => h.id)).toEqual(['retry-storm', 'cost']);
    expect(hits[0]?.rank).toBeLessThan(hits[1]?.rank ?? 0);
    expect(hits[1]?.snippet).toContain(`${HIGHLIGHT_START}retry${HIGHLIGHT_END}`);
  });

  it('stems, prefixes while typing, and survives FTS syntax in the input', () => {
    expect(runbooks.search('retries').map((h) => h.id)).toContain('retry-storm');
    expect(runbooks.search('back').map((h) => h.id)).toEqual(['retry-storm']);
    expect(runbooks.search('"abuse" OR NEAR( *')).toEqual([]);
    expect(runbooks.search('abuse').map((h) => h.id)).toEqual(['cost']);
    expect(runbooks.search('  ')).toEqual([]);
  });

  it('replaces a document and its index row together, and forgets removed ones', () => {
    runbooks.put([doc('latency', 'Latency', 'Now mentions quota exhaustion.')], '2026-01-02T00:00:00.000Z');
    expect(runbooks.search('quota').map((h) => h.id)).toEqual(['latency']);
    expect(runbooks.search('slow')).toEqual([]);
    expect(runbooks.versions().get('latency')).toBe('v-latency');
    runbooks.remove(['latency']);
    expect(runbooks.search('quota')).toEqual([]);
    expect(runbooks.get('latency')).toBeNull();
    expect(runbooks.list().map((r) => r.id)).toEqual(['cost', 'retry-storm']);
  });
});

describe('runbook sync, Api and offline search against the real collector', () => {
  let collector: CollectorHandle;
  let services: AppServices;
  let dataDir: string;

  beforeAll(async () => {
    collector = await startCollector();
    dataDir = mkdtempSync(join(tmpdir(), 'vigil-rbapp-'));
    services = createAppServices({
      collectorUrl: collector.url,
      collectorToken: collector.token,
      user: 'alice',
      dataDir,
      log: silent,
    });
    services.start();
  });
  afterAll(async () => {
    services?.dispose();
    await collector?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('syncs on connect, opens the alert runbook, records the walk on the timeline, searches offline', async () => {
    const api = services.api;
    await until('runbooks synced', () => services.runbookCache.list().length >= 20);
    expect((await api.call('runbooks.get', { id: 'error-rate' }))?.tree.steps[0]?.id).toBe('1');

    const start = Date.now() - 30 * 60_000;
    const burst = errorBurst({
      service: 'chat',
      provider: 'openai',
      model: 'gpt-4o',
      startMs: start - (start % 60_000),
      minutes: 15,
      perMinute: 100,
      errorRate: 0.3,
    });
    expect((await postEvents(collector.url, collector.token, burst)).status).toBe(200);
    const alert = await until('error-rate alert', () =>
      services.cache.listAlerts().find((a) => a.ruleId === 'error-rate'),
    );

    const runbook = await api.call('runbooks.forAlert', { alertId: alert.id });
    expect(runbook?.id).toBe('error-rate');
    const first = runbook?.tree.steps[0];
    const toStep = first?.branches.find((b) => b.target.kind === 'step');
    const next = toStep?.target.kind === 'step' ? toStep.target.step : '';
    const stepNext = runbook?.tree.steps.find((s) => s.id === next);
    const outcome = stepNext?.branches.find((b) => b.target.kind !== 'step')?.target.kind as 'stop' | 'escalate';

    await expect(
      api.call('runbooks.recordStep', { alertId: alert.id, runbookId: 'error-rate', path: ['1', '99'] }),
    ).rejects.toMatchObject({
      code: 'invalid_field',
    });
    await expect(
      api.call('runbooks.recordStep', { alertId: 'nope', runbookId: 'error-rate', path: ['1'] }),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      api.call('runbooks.recordStep', { alertId: alert.id, runbookId: 'Bad Id', path: ['1'] } as never),
    ).rejects.toMatchObject({
      code: 'invalid_field',
    });
    await expect(api.call('runbooks.search', { query: 'x'.repeat(600) })).rejects.toMatchObject({
      code: 'invalid_field',
    });

    const { note } = await api.call('runbooks.recordStep', {
      alertId: alert.id,
      runbookId: 'error-rate',
      path: ['1', next],
      outcome,
    });
    expect(note).toBe(`runbook error-rate: 1 → ${next} (${outcome})`);
    await until('comment on the timeline', () =>
      services.cache.getAlert(alert.id)?.timeline.some((t) => t.kind === 'commented' && t.note === note),
    );
    // The replica's timeline only holds what the collector's log streamed back: it reached the collector.

    await collector.kill();
    await services.runbookSync.syncNow(); // fails quietly; the cache keeps everything
    const hits = await api.call('runbooks.search', { query: 'backoff' });
    expect(hits.map((h) => h.id)).toContain('cost-anomaly');
    expect(hits[0]?.snippet).toContain(HIGHLIGHT_START);
    expect((await api.call('runbooks.list', {})).length).toBeGreaterThanOrEqual(20);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS } from '../../shared/clock.js';
import type { LlmEvent } from '../../shared/protocol/events.js';
import { addToBucket, emptyBucket } from '../../shared/rollup/bucket.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import {
  LABEL_ALERT_REARM_MS,
  LabelCardinalityAlerts,
  summaryOf,
} from '../../electron/collector/ingest/label-alerts.js';
import { LabelCap, MAX_OVERFLOW_EXAMPLES, OTHER_LABEL_VALUE } from '../../electron/collector/ingest/label-cap.js';
import { loadLabelSeed, OUTPUT_LABELS_META } from '../../electron/collector/ingest/label-seed.js';
import { seriesBudget, topKeys } from '../../electron/collector/series/series-limit.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { PricedEvent } from '../../electron/collector/store/store.js';
import { MAX_RESPONSE_POINTS } from '../../shared/protocol/series.js';

const T0 = Date.UTC(2026, 11, 1, 12);

function ev(service: string, extra: Partial<LlmEvent> = {}): PricedEvent {
  return {
    event: {
      ts: T0,
      service,
      provider: 'openai',
      model: 'gpt-4o',
      latency_ms: 500,
      input_tokens: 10,
      output_tokens: 5,
      status: 'ok',
      ...extra,
    },
    costUsd: 0.002,
  };
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmpDb = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-labelcap-'));
  dirs.push(d);
  return join(d, 'collector.db');
};

describe('LabelCap', () => {
  it('below the cap changes nothing and allocates nothing (the same array comes back)', () => {
    const cap = new LabelCap(3);
    const batch = [ev('a'), ev('b'), ev('c'), ev('a')];
    expect(cap.fold(batch)).toBe(batch);
    expect(cap.takeFresh()).toEqual([]);
    expect(cap.stats().find((s) => s.label === 'service')).toEqual({ label: 'service', values: 3, overflowEvents: 0 });
  });

  it('folds values beyond the cap into other, keeps cost and the other fields, never mutates the input', () => {
    const cap = new LabelCap(2);
    const batch = [ev('a'), ev('b', { status: 'error', error_type: 'timeout' }), ev('c'), ev('d', { status: 'error' })];
    const out = cap.fold(batch);
    expect(out).not.toBe(batch);
    expect(out.map((p) => p.event.service)).toEqual(['a', 'b', OTHER_LABEL_VALUE, OTHER_LABEL_VALUE]);
    expect(out[3]?.event.status).toBe('error');
    expect(out[3]?.costUsd).toBe(0.002);
    expect(out[0]).toBe(batch[0]); // untouched events are passed through
    expect(batch.map((p) => p.event.service)).toEqual(['a', 'b', 'c', 'd']);
    // Known values keep folding through: a known value is never displaced.
    expect(cap.fold([ev('a'), ev('e')]).map((p) => p.event.service)).toEqual(['a', OTHER_LABEL_VALUE]);
  });

  it('caps each label on its own: provider, model and output_label', () => {
    const cap = new LabelCap(1);
    const out = cap.fold([
      ev('s', { provider: 'p1', model: 'm1', output_label: 'l1' }),
      ev('s', { provider: 'p2', model: 'm1', output_label: 'l1' }),
      ev('s', { provider: 'p1', model: 'm2', output_label: 'l2' }),
      ev('s', { provider: 'p1', model: 'm1' }),
    ]);
    expect(out.map((p) => [p.event.service, p.event.provider, p.event.model, p.event.output_label])).toEqual([
      ['s', 'p1', 'm1', 'l1'],
      ['s', OTHER_LABEL_VALUE, 'm1', 'l1'],
      ['s', 'p1', OTHER_LABEL_VALUE, OTHER_LABEL_VALUE],
      ['s', 'p1', 'm1', undefined],
    ]);
    expect(
      cap
        .takeFresh()
        .map((o) => o.label)
        .sort(),
    ).toEqual(['model', 'output_label', 'provider']);
  });

  it('"other" itself is always allowed and never takes a slot', () => {
    const cap = new LabelCap(1, { service: [OTHER_LABEL_VALUE] });
    expect(cap.fold([ev(OTHER_LABEL_VALUE), ev('real')]).map((p) => p.event.service)).toEqual([
      OTHER_LABEL_VALUE,
      'real',
    ]);
    expect(cap.takeFresh()).toEqual([]);
  });

  it('starts from the seed (at most max values) so a restart keeps the cap', () => {
    const cap = new LabelCap(2, { service: ['x', 'y', 'z'] });
    expect(cap.has('service', 'x') && cap.has('service', 'y')).toBe(true);
    expect(cap.has('service', 'z')).toBe(false);
    expect(cap.fold([ev('new')])[0]?.event.service).toBe(OTHER_LABEL_VALUE);
  });

  it('reports each overflowed label once per take, with bounded distinct examples and a running count', () => {
    const cap = new LabelCap(1);
    cap.fold([ev('keep'), ...Array.from({ length: 20 }, (_, i) => ev(`junk-${i % 10}`))]);
    const [o] = cap.takeFresh();
    expect(o).toMatchObject({ label: 'service', events: 20 });
    expect(o?.examples).toEqual(['junk-0', 'junk-1', 'junk-2', 'junk-3', 'junk-4']);
    expect(o?.examples).toHaveLength(MAX_OVERFLOW_EXAMPLES);
    expect(cap.takeFresh()).toEqual([]);
    cap.fold([ev('junk-99')]);
    expect(cap.takeFresh()[0]?.events).toBe(21);
  });

  it('10,000 distinct names: memory holds max values, and folding stays fast', () => {
    const cap = new LabelCap(500);
    const batch = Array.from({ length: 10_000 }, (_, i) => ev(`svc-${i}`));
    const t = performance.now();
    const out = cap.fold(batch);
    const ms = performance.now() - t;
    expect(out.filter((p) => p.event.service === OTHER_LABEL_VALUE)).toHaveLength(9_500);
    expect(cap.stats()[0]).toEqual({ label: 'service', values: 500, overflowEvents: 9_500 });
    expect(ms).toBeLessThan(500); // generous: a few ms on an idle machine
  });
});

describe('label seed from stored rollups', () => {
  it('loads the busiest values per label within the lookback, without other, bounded by max', () => {
    const file = tmpDb();
    const store = openStore(file, 0);
    const bucket = (service: string, model: string, minute: number, n: number, label?: string) => {
      const b = emptyBucket({ service, provider: 'openai', model }, minute);
      for (let i = 0; i < n; i++) addToBucket(b, { ...ev(service).event, model, output_label: label }, 0);
      return b;
    };
    store.ingestBatch(
      [],
      [
        bucket('busy', 'm1', T0, 30, 'answer'),
        bucket('mid', 'm1', T0, 20, 'refusal'),
        bucket('quiet', 'm2', T0, 1),
        bucket(OTHER_LABEL_VALUE, 'm1', T0, 99, OTHER_LABEL_VALUE),
        bucket('ancient', 'm3', T0 - 30 * DAY_MS, 500, 'old-label'),
      ],
      T0,
      T0,
    );
    store.rollupHistory.setMeta(OUTPUT_LABELS_META, JSON.stringify(['answer', 'refusal', 'third']));
    store.close();
    const seed = loadLabelSeed(file, 2, T0 + HOUR_MS);
    expect([...(seed.service ?? [])]).toEqual(['busy', 'mid']);
    expect([...(seed.model ?? [])]).toEqual(['m1', 'm2']);
    expect([...(seed.provider ?? [])]).toEqual(['openai']);
    expect([...(seed.output_label ?? [])]).toEqual(['answer', 'refusal']);
  });

  it('a missing or corrupt saved output-label list starts empty instead of failing', () => {
    const file = tmpDb();
    const store = openStore(file, 0);
    expect(loadLabelSeed(file, 5, T0).output_label).toEqual([]);
    for (const bad of ['{not json', '{"a":1}', '[1,"ok",null]']) {
      store.rollupHistory.setMeta(OUTPUT_LABELS_META, bad);
      expect(loadLabelSeed(file, 5, T0).output_label).toEqual(bad.startsWith('[') ? ['ok'] : []);
    }
    store.close();
  });

  it('takeAdmitted hands out the full list once after a new value, for saving', () => {
    const cap = new LabelCap(3, { output_label: ['a'] });
    expect(cap.takeAdmitted('output_label')).toBeUndefined();
    cap.fold([ev('s', { output_label: 'a' }), ev('s', { output_label: 'b' })]);
    expect(cap.takeAdmitted('output_label')).toEqual(['a', 'b']);
    expect(cap.takeAdmitted('output_label')).toBeUndefined();
  });
});

describe('label-cardinality ticket', () => {
  it('one per label; none while it is open; a new one only after it was resolved and the rearm time passed', () => {
    const store = openStore(tmpDb(), 0);
    let now = T0;
    const clock = { now: () => now };
    const alerts = new AlertService(store, clock, 'collector');
    const tickets = new LabelCardinalityAlerts(alerts, store, clock, 500);
    const overflow = { label: 'service' as const, events: 3, examples: ['a\nb', 'x'.repeat(100)] };
    const [first] = tickets.raise([overflow]);
    expect(first).toMatchObject({ ruleId: 'label-cardinality', tier: 'ticket', labels: { label: 'service' } });
    expect(first?.summary).toContain('"service"');
    expect(first?.summary).toContain('500');
    expect(first?.summary).toContain('"a\\nb"'); // quoted: a newline cannot break the line
    expect(first?.summary).not.toContain('x'.repeat(41));
    now += 2 * LABEL_ALERT_REARM_MS;
    expect(tickets.raise([overflow])).toEqual([]); // still open
    expect(tickets.raise([{ ...overflow, label: 'model' }])).toHaveLength(1); // another label: its own ticket
    alerts.transact(() => alerts.resolveByRule(first?.id ?? '', now, 'handled'));
    // A restarted collector finds the latest tickets in the store.
    const restarted = new LabelCardinalityAlerts(alerts, store, clock, 500);
    expect(restarted.raise([overflow])).toHaveLength(1);
    expect(restarted.raise([overflow])).toEqual([]);
    store.close();
  });

  it('summary names label and cap even without examples', () => {
    expect(summaryOf({ label: 'output_label', examples: [] }, 7)).toMatch(/"output_label".*7 distinct/);
  });
});

describe('series limits', () => {
  it('topKeys keeps the busiest, ties by key, undefined when all fit', () => {
    const v = new Map([
      ['b', 5],
      ['a', 5],
      ['c', 9],
      ['d', 1],
    ]);
    expect(topKeys(v, 4)).toBeUndefined();
    expect([...(topKeys(v, 2) ?? [])]).toEqual(['c', 'a']);
  });

  it('seriesBudget respects the points budget and never goes below one series', () => {
    expect(seriesBudget(100, 0, 60 * 60_000, 60_000)).toBe(100);
    expect(seriesBudget(1_000, 0, 5_000 * 60_000, 60_000)).toBe(MAX_RESPONSE_POINTS / 5_000);
    expect(seriesBudget(5, 0, 10 * MAX_RESPONSE_POINTS * 60_000, 60_000)).toBe(1);
  });
});

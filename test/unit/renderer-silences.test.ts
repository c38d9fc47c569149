import { describe, expect, it } from 'vitest';
import type { Alert, OutboxItem, Silence } from '../../shared/protocol';
import {
  buildSilenceRequest,
  countMatching,
  DAY_MS,
  groupSilences,
  HOUR_MS,
  prefillMatchers,
  silenceState,
  silenceSync,
  silenceWhen,
  type SilenceDraft,
} from '../../renderer/src/lib/silences';

const NOW = Date.parse('2025-03-04T03:00:00Z');

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'a1',
    ruleId: 'error-rate',
    tier: 'page',
    status: 'firing',
    source: 'rules',
    summary: 'chat errors',
    labels: { service: 'chat', provider: 'openai', model: 'gpt-4o' },
    firedAt: '2025-03-04T02:50:00Z',
    ...over,
  };
}

const draft = (over: Partial<SilenceDraft> = {}): SilenceDraft => ({
  matchers: prefillMatchers(alert()),
  amount: 2,
  unit: 'h',
  comment: '  deploy in progress ',
  ...over,
});

describe('silence dialog', () => {
  it('prefills alertname, provider and service from the alert', () => {
    expect(prefillMatchers(alert())).toEqual([
      { name: 'alertname', op: '=', value: 'error-rate' },
      { name: 'provider', op: '=', value: 'openai' },
      { name: 'service', op: '=', value: 'chat' },
    ]);
    // A label the alert lacks is left out; an Alertmanager alertname wins over the rule id.
    expect(prefillMatchers(alert({ ruleId: 'am', labels: { alertname: 'HighLatency' } }))).toEqual([
      { name: 'alertname', op: '=', value: 'HighLatency' },
    ]);
  });

  it('builds a silences.create request ending after the duration (default 2h)', () => {
    const built = buildSilenceRequest(draft(), NOW);
    expect(built).toEqual({
      ok: true,
      request: {
        matchers: prefillMatchers(alert()),
        endsAt: new Date(NOW + 2 * HOUR_MS).toISOString(),
        comment: 'deploy in progress',
      },
    });
  });

  it('bounds the duration by 7 days and refuses a non-positive one', () => {
    expect(buildSilenceRequest(draft({ amount: 7, unit: 'd' }), NOW).ok).toBe(true);
    const long = buildSilenceRequest(draft({ amount: 7 * 24 + 1, unit: 'h' }), NOW);
    expect(long).toEqual({ ok: false, errors: ['A silence lasts at most 7d.'] });
    expect(buildSilenceRequest(draft({ amount: 0 }), NOW).ok).toBe(false);
    expect(buildSilenceRequest(draft({ amount: Number.NaN }), NOW).ok).toBe(false);
  });

  it('refuses no matchers, a bad label name or regex, and matchers that match everything', () => {
    expect(buildSilenceRequest(draft({ matchers: [] }), NOW)).toMatchObject({ ok: false });
    const badName = buildSilenceRequest(draft({ matchers: [{ name: 'bad-name', op: '=', value: 'x' }] }), NOW);
    expect(badName.ok === false && badName.errors[0]).toMatch(/^Matcher 1: label names/);
    const badRegex = buildSilenceRequest(draft({ matchers: [{ name: 'service', op: '=~', value: '[' }] }), NOW);
    expect(badRegex.ok === false && badRegex.errors[0]).toMatch(/invalid regular expression/);
    const everything = buildSilenceRequest(draft({ matchers: [{ name: 'service', op: '=~', value: '.*' }] }), NOW);
    expect(everything.ok === false && everything.errors[0]).toMatch(/silence almost everything/);
    const longComment = buildSilenceRequest(draft({ comment: 'x'.repeat(2001) }), NOW);
    expect(longComment.ok).toBe(false);
  });

  it('previews how many alerts the matchers select, with the collector’s matching', () => {
    const others = [
      alert(),
      alert({ id: 'a2', labels: { service: 'search', provider: 'openai' } }),
      alert({ id: 'a3', ruleId: 'provider-down', labels: { provider: 'openai' } }),
    ];
    expect(countMatching(prefillMatchers(alert()), others)).toBe(1);
    expect(countMatching([{ name: 'provider', op: '=', value: 'openai' }], others)).toBe(3);
    expect(countMatching([{ name: 'alertname', op: '=~', value: 'error.*|provider-down' }], others)).toBe(3);
    expect(countMatching([{ name: 'bad-name', op: '=', value: 'x' }], others)).toBeNull();
  });
});

describe('silences view', () => {
  const silence = (id: string, startsAt: number, endsAt: number): Silence => ({
    id,
    matchers: [{ name: 'service', op: '=', value: 'chat' }],
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    createdBy: 'alice',
    comment: '',
  });

  it('sorts silences into active, pending and expired', () => {
    const list = [
      silence('long', NOW - HOUR_MS, NOW + DAY_MS),
      silence('short', NOW - HOUR_MS, NOW + HOUR_MS),
      silence('later', NOW + 2 * HOUR_MS, NOW + 3 * HOUR_MS),
      silence('old', NOW - 3 * HOUR_MS, NOW - 2 * HOUR_MS),
      silence('recent', NOW - 3 * HOUR_MS, NOW - HOUR_MS),
      silence('edge', NOW - HOUR_MS, NOW), // ends exactly now: ended
    ];
    const g = groupSilences(list, NOW);
    expect(g.active.map((s) => s.id)).toEqual(['short', 'long']);
    expect(g.pending.map((s) => s.id)).toEqual(['later']);
    expect(g.expired.map((s) => s.id)).toEqual(['edge', 'recent', 'old']);
    expect(silenceState(list[0] as Silence, NOW)).toBe('active');
  });

  it('says when, in words', () => {
    expect(silenceWhen(silence('s', NOW - HOUR_MS, NOW + 119 * 60_000), NOW)).toBe('ends in 1h 59m');
    expect(silenceWhen(silence('s', NOW + 5 * 60_000, NOW + HOUR_MS), NOW)).toBe('starts in 5m');
    expect(silenceWhen(silence('s', NOW - HOUR_MS, NOW - 3 * 60_000), NOW)).toBe('ended 3m ago');
  });

  it('shows a silence made or expired here as pending until the collector applied it', () => {
    const item = (over: Partial<OutboxItem>): OutboxItem => ({
      id: 'cmd',
      kind: 'silence',
      createdAt: '2025-03-04T03:00:00Z',
      state: 'queued',
      ...over,
    });
    expect(silenceSync('cmd', [item({})], new Map())).toBe('creating');
    expect(silenceSync('cmd', [item({ state: 'applied' })], new Map())).toBeNull();
    expect(silenceSync('cmd', [item({ state: 'conflict' })], new Map())).toBe('refused');
    const expire = item({ id: 'x1', kind: 'expire-silence', state: 'sent' });
    expect(silenceSync('s9', [expire], new Map([['s9', 'x1']]))).toBe('expiring');
    expect(silenceSync('s9', [{ ...expire, state: 'applied' }], new Map([['s9', 'x1']]))).toBeNull();
  });
});

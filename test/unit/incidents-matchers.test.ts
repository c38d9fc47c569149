import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { z } from 'zod';
import {
  GroupingConfig,
  IncidentsConfigSchema,
  InhibitConfig,
  Matcher,
  SilencesConfig,
  matchLabels,
  matches,
  matchesAll,
  matchesEmpty,
} from '../../shared/incidents/index.js';
import { MATCHER_MAX_REGEX } from '../../shared/protocol/incident.js';

const m = (name: string, op: Matcher['op'], value: string): Matcher => Matcher.parse({ name, op, value });

describe('Matcher (Alertmanager semantics)', () => {
  it('= and != compare the whole value; a missing label reads as ""', () => {
    expect(matches(m('provider', '=', 'openai'), { provider: 'openai' })).toBe(true);
    expect(matches(m('provider', '=', 'openai'), { provider: 'openai-eu' })).toBe(false);
    expect(matches(m('provider', '!=', 'openai'), {})).toBe(true);
    expect(matches(m('provider', '=', ''), {})).toBe(true);
  });

  it('regexes are fully anchored', () => {
    const re = m('provider', '=~', 'open.*');
    expect(matches(re, { provider: 'openai' })).toBe(true);
    expect(matches(re, { provider: 'reopenai' })).toBe(false);
    expect(matches(m('tier', '=~', 'page|ticket'), { tier: 'ticket' })).toBe(true);
    // Anchoring wraps the whole alternation, not just its ends.
    expect(matches(m('tier', '=~', 'page|ticket'), { tier: 'pageX' })).toBe(false);
    expect(matches(m('tier', '!~', 'page|ticket'), { tier: 'review' })).toBe(true);
  });

  it('a leading (?i) folds case, as in Prometheus', () => {
    const re = m('provider', '=~', '(?i)openai|anthropic');
    expect(matches(re, { provider: 'OpenAI' })).toBe(true);
    expect(matches(re, { provider: 'ANTHROPIC' })).toBe(true);
    expect(matches(re, { provider: 'xOpenAI' })).toBe(false);
    expect(matches(m('provider', '=~', 'openai'), { provider: 'OpenAI' })).toBe(false);
  });

  it('an invalid regex is rejected at the schema with a message naming the matcher', () => {
    const r = Matcher.safeParse({ name: 'service', op: '=~', value: 'chat(' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toContain('service=~"chat("');
    expect(r.error?.issues[0]?.path).toEqual(['value']);
  });

  it('patterns are RE2: matching time is linear, so no pattern can freeze the collector', () => {
    // Catastrophic for a backtracking engine (JavaScript's RegExp: minutes at 50 characters).
    const evil = [m('model', '=~', '(x|xx)*y'), m('model', '=~', '(a+)+$'), m('model', '=~', 'x*x*x*x*x*y')];
    const value = 'x'.repeat(1024);
    const t0 = performance.now();
    for (const re of evil) expect(matches(re, { model: value })).toBe(false);
    expect(performance.now() - t0).toBeLessThan(2_000);
    // RE2 refuses what it cannot run in linear time, at the schema, naming the matcher.
    for (const pattern of ['(a)\\1', '(?=a)b']) {
      const r = Matcher.safeParse({ name: 'model', op: '=~', value: pattern });
      expect(r.success).toBe(false);
      if (!r.success) expect(r.error.issues[0]?.message).toMatch(/^matcher model=~".*": invalid regular expression/);
    }
  });

  it('bounds regex length and label names', () => {
    expect(Matcher.safeParse({ name: 'a', op: '=~', value: 'x'.repeat(MATCHER_MAX_REGEX + 1) }).success).toBe(false);
    expect(Matcher.safeParse({ name: 'a', op: '=', value: 'x'.repeat(MATCHER_MAX_REGEX + 1) }).success).toBe(true);
    expect(Matcher.safeParse({ name: '1bad', op: '=', value: 'x' }).success).toBe(false);
    expect(Matcher.safeParse({ name: 'a', op: '==', value: 'x' }).success).toBe(false);
    expect(Matcher.safeParse({ name: 'a', op: '=', value: 'x', extra: 1 }).success).toBe(false);
  });

  it('matchesAll is an AND; matchesEmpty spots matchers that hold for absent labels', () => {
    const both = [m('provider', '=', 'openai'), m('tier', '=', 'page')];
    expect(matchesAll(both, { provider: 'openai', tier: 'page' })).toBe(true);
    expect(matchesAll(both, { provider: 'openai', tier: 'ticket' })).toBe(false);
    expect(matchesEmpty(m('a', '=~', '.*'))).toBe(true);
    expect(matchesEmpty(m('a', '!=', 'x'))).toBe(true);
    expect(matchesEmpty(m('a', '=', 'x'))).toBe(false);
  });

  it('matchLabels adds alertname (own label wins) and tier (always the alert tier)', () => {
    expect(matchLabels({ ruleId: 'provider-down', tier: 'page', labels: { provider: 'openai' } })).toEqual({
      alertname: 'provider-down',
      provider: 'openai',
      tier: 'page',
    });
    const am = matchLabels({
      ruleId: 'am:HighLatency',
      tier: 'ticket',
      labels: { alertname: 'HighLatency', tier: 'x' },
    });
    expect(am.alertname).toBe('HighLatency');
    expect(am.tier).toBe('ticket');
  });
});

/** The sections as the collector config will parse them: `path: message` errors. */
function parseCollectorConfig(
  raw: unknown,
): { ok: true; config: z.output<typeof IncidentsConfigSchema> } | { ok: false; errors: string[] } {
  const r = IncidentsConfigSchema.safeParse(raw);
  if (r.success) return { ok: true, config: r.data };
  return { ok: false, errors: r.error.issues.map((i) => `${i.path.map(String).join('.')}: ${i.message}`) };
}

describe('config sections grouping / inhibit / silences', () => {
  it('default to service-then-provider grouping, 30 s wait, the provider-down rule, 7 d silences', () => {
    const r = parseCollectorConfig({});
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.grouping).toEqual({ by: [['service'], ['provider']], window: 3_600_000, wait: 30_000 });
    expect(r.config.inhibit.rules).toHaveLength(1);
    expect(r.config.inhibit.rules[0]).toMatchObject({
      source: [{ name: 'alertname', value: 'provider-down' }],
      equal: ['provider'],
    });
    expect(r.config.silences.maxDuration).toBe(7 * 24 * 3_600_000);
  });

  it('take durations and reject typos and bad regexes with a path', () => {
    const r = parseCollectorConfig({ grouping: { wait: '10s', window: '5m', by: [['service', 'model']] } });
    expect(r.ok && r.config.grouping).toEqual({ by: [['service', 'model']], window: 300_000, wait: 10_000 });
    const typo = parseCollectorConfig({ grouping: { wiat: '10s' } });
    expect(typo.ok).toBe(false);
    expect(!typo.ok && typo.errors.join()).toContain('grouping');
    const bad = parseCollectorConfig({
      inhibit: {
        rules: [
          { source: [{ name: 'alertname', op: '=~', value: '[' }], target: [{ name: 'tier', op: '=', value: 'page' }] },
        ],
      },
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors[0]).toMatch(/^inhibit\.rules\.0\.source\.0\.value: matcher alertname=~"\["/);
    expect(parseCollectorConfig({ silences: { maxDuration: 0 } }).ok).toBe(false);
    expect(parseCollectorConfig({ inhibit: { rules: [] } }).ok).toBe(true);
  });

  it('defaults are fresh per parse (no shared mutable default)', () => {
    const a = GroupingConfig.parse({});
    a.by[0]?.push('mutated');
    expect(GroupingConfig.parse({}).by).toEqual([['service'], ['provider']]);
    const b = InhibitConfig.parse({});
    b.rules[0]?.equal.push('mutated');
    expect(InhibitConfig.parse({}).rules[0]?.equal).toEqual(['provider']);
    expect(SilencesConfig.parse({ maxDuration: '1h' }).maxDuration).toBe(3_600_000);
  });

  it('survive a YAML round trip (what --print-config will print once the collector reads them)', () => {
    const parsed = IncidentsConfigSchema.parse({});
    const printed = parseYaml(stringifyYaml(parsed)) as Record<string, unknown>;
    expect(printed.grouping).toEqual({ by: [['service'], ['provider']], window: 3_600_000, wait: 30_000 });
    expect(printed.silences).toEqual({ maxDuration: 7 * 24 * 3_600_000 });
    const again = parseCollectorConfig(printed);
    expect(again.ok && again.config).toEqual(parsed);
  });
});

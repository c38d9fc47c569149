import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';

/** The README's config examples are what people copy: each must be a valid collector config. */
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('README config examples', () => {
  it('has the incident sections among its examples', () => {
    expect(blocks.some((b) => /^grouping:/m.test(b) && /^inhibit:/m.test(b) && /^silences:/m.test(b))).toBe(true);
  });

  it.each(blocks.map((b, i) => [i, b] as const))('block %i parses as a collector config', (_i, block) => {
    const r = parseCollectorConfig(parse(block));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  it('the incident example means what the README says', () => {
    const block = blocks.find((b) => /^grouping:/m.test(b)) ?? '';
    const r = parseCollectorConfig(parse(block));
    if (!r.ok) throw new Error(r.errors.join('\n'));
    expect(r.config.grouping).toEqual({ by: [['service'], ['provider']], window: 3_600_000, wait: 30_000 });
    expect(r.config.inhibit.rules[0]).toMatchObject({ name: 'provider-down', equal: ['provider'] });
    expect(r.config.silences.maxDuration).toBe(7 * 24 * 3_600_000);
  });
});

import { describe, expect, it } from 'vitest';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import { computeHealth } from '../../shared/health/compute.js';
import { RotationConfig } from '../../shared/rotation/schema.js';
import { teamTimeZone } from '../../shared/rotation/team-zone.js';

/** One rule for the team's zone (Health, the weekly review, overdue action items). */
describe('the team time zone', () => {
  it("is the rotation's, else the business hours', else UTC", () => {
    expect(teamTimeZone({ timeZone: 'America/New_York' }, { timeZone: 'Europe/Berlin' })).toBe('America/New_York');
    expect(teamTimeZone(undefined, { timeZone: 'Europe/Berlin' })).toBe('Europe/Berlin');
    expect(teamTimeZone(null, null)).toBe('UTC');
    expect(teamTimeZone({ timeZone: 'Mars/Base' }, { timeZone: 'Not/AZone' })).toBe('UTC');
  });

  it('is what Health reckons its weeks and quarters in, like the review', () => {
    const parsed = parseCollectorConfig({ escalation: { businessHours: { timeZone: 'Europe/Berlin' } } });
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const base = {
      fromMs: Date.parse('2026-03-02T00:00:00Z'),
      toMs: Date.parse('2026-03-09T00:00:00Z'),
      nowMs: Date.parse('2026-03-09T00:00:00Z'),
      escalation: parsed.config.escalation,
      entries: [],
      pulses: [],
      buckets: [],
      outages: [],
    };
    const rotation = RotationConfig.parse({ timeZone: 'America/New_York', roster: ['alice'] });
    expect(computeHealth({ ...base, rotation }).timeZone).toBe('America/New_York');
    expect(computeHealth({ ...base, rotation: undefined }).timeZone).toBe('Europe/Berlin');
  });
});

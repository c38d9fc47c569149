import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openOverrideStore } from '../../electron/collector/rotation/override-store.js';
import { endedOverrideKeepMs, RotationService } from '../../electron/collector/rotation/rotation-service.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { toIso } from '../../shared/clock.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';
import { BusinessHours } from '../../shared/escalation/schema.js';
import { onCallTime } from '../../shared/health/on-call.js';
import { RotationConfig } from '../../shared/rotation/schema.js';

/**
 * On-call hours of a past week are the basis of on-call pay: they are rebuilt from the rotation
 * with the overrides made from desktops, so an ended override must stay as long as Health reports
 * on its week (`health.keep`), not only as long as the alert log (`retention.eventLog`, 30 days).
 */
const DAY = 86_400_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const rotation = RotationConfig.parse({
  timeZone: 'UTC',
  handoff: { day: 'monday', time: '09:00' },
  start: '2025-01-06',
  roster: ['alice', 'bob', 'carol'],
});
const bh = BusinessHours.parse({});

describe('ended rotation overrides', () => {
  it('still count in their week’s on-call hours 40 days later, after a restart prunes', () => {
    const parsed = parseCollectorConfig({});
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const cfg = parsed.config;
    const keep = endedOverrideKeepMs(cfg.retention.eventLog, cfg.health.keep);
    expect(keep).toBeGreaterThanOrEqual(cfg.health.keep);

    const dir = mkdtempSync(join(tmpdir(), 'vigil-ovr-keep-'));
    dirs.push(dir);
    const file = join(dir, 'collector.db');
    const weekStart = Date.parse('2026-01-05T09:00:00Z'); // a Monday handoff
    const clock = { t: weekStart };
    openStore(file, clock.t).close();
    const svc = new RotationService(
      rotation,
      openOverrideStore(file),
      { now: () => clock.t },
      keep,
      cfg.rotationOverrides,
    );
    // Dave covers a whole day of the week (nobody of the roster has him).
    const from = weekStart + DAY;
    expect(
      svc.apply(
        {
          type: 'command',
          id: 'cover',
          kind: 'override',
          override: { role: 'primary', user: 'dave', from: toIso(from), to: toIso(from + DAY) },
        },
        'alice',
      ),
    ).toEqual({ ok: true });
    svc.close();

    // 40 days on, the collector restarts (it prunes at start) and Health asks for that week.
    clock.t = weekStart + 40 * DAY;
    const later = new RotationService(
      rotation,
      openOverrideStore(file),
      { now: () => clock.t },
      keep,
      cfg.rotationOverrides,
    );
    const hours = onCallTime(later.effective(), bh, weekStart, weekStart + 7 * DAY);
    expect(hours.get('dave')?.onCallMs).toBe(DAY);
    later.close();
  });

  it('keeps enough ended overrides by default for a year of a busy team’s swaps', () => {
    const parsed = parseCollectorConfig({});
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    expect(parsed.config.rotationOverrides.maxEnded).toBeGreaterThanOrEqual(parsed.config.health.keep / DAY);
  });
});

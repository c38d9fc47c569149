import { describe, expect, it } from 'vitest';
import { silenceMarker, silenceMatchers } from '../../electron/collector/integrations/alertmanager-silences.js';
import { CollectorConfig } from '../../shared/config/collector-config.js';
import { AmPostableSilence } from '../../shared/protocol/alertmanager-api.js';
import type { Alert } from '../../shared/protocol/alert.js';

const am = (over: Record<string, unknown>) => CollectorConfig.safeParse({ integrations: { alertmanager: over } });

describe('integrations.alertmanager silence keys (issue 17)', () => {
  it('defaults: no url, no silences on ack, 4h silences, 5s timeout; the url loses its trailing slash', () => {
    const d = CollectorConfig.parse({}).integrations.alertmanager;
    expect(d).toEqual({ defaultTier: 'ticket', silenceOnAck: false, silenceDuration: 4 * 3_600_000, timeout: 5_000 });
    const c = am({ url: 'http://am:9093/', silenceOnAck: true, silenceDuration: '30m' });
    expect(c.success && c.data.integrations.alertmanager).toMatchObject({
      url: 'http://am:9093',
      silenceDuration: 1_800_000,
    });
  });

  it('refuses bad values naming the key', () => {
    for (const [over, key] of [
      [{ url: 'ftp://am' }, 'url'],
      [{ url: 'am:9093' }, 'url'],
      [{ silenceDuration: '30s' }, 'silenceDuration'],
      [{ silenceDuration: '8d' }, 'silenceDuration'],
      [{ timeout: 0 }, 'timeout'],
      [{ timeout: '2m' }, 'timeout'],
      [{ silenceOnAck: 'yes' }, 'silenceOnAck'],
      [{ silenceOnack: true }, ''],
    ] as const) {
      const r = am(over);
      expect(r.success, JSON.stringify(over)).toBe(false);
      if (!r.success)
        expect(r.error.issues.map((i) => i.path.join('.')).join(' ')).toContain(
          `integrations.alertmanager${key ? `.${key}` : ''}`,
        );
    }
  });

  it('matches on the alert’s own labels only, with equality matchers', () => {
    const alert = {
      labels: { alertname: 'X', service: 'a', fingerprint: 'f', generator_url: 'g', runbook_url: 'r' },
    } as unknown as Alert;
    const m = silenceMatchers(alert);
    expect(m).toEqual([
      { name: 'alertname', value: 'X', isRegex: false, isEqual: true },
      { name: 'service', value: 'a', isRegex: false, isEqual: true },
    ]);
    const body = {
      matchers: m,
      startsAt: '2026-12-06T10:00:00Z',
      endsAt: '2026-12-06T12:00:00Z',
      createdBy: 'a',
      comment: silenceMarker('inc-1'),
    };
    expect(AmPostableSilence.safeParse(body).success).toBe(true);
    expect(AmPostableSilence.safeParse({ ...body, matchers: [] }).success).toBe(false);
    expect(silenceMarker('inc-1')).toBe('[vigil incident inc-1]');
  });
});

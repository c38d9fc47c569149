import { describe, expect, it } from 'vitest';
import { desktopsAgainstCollector } from '../fixtures/desktops.js';
import { until, untilAsync } from './sync-helpers.js';

/**
 * Issue 15, the fatigue pulse end to end on a real desktop service stack: ana's shift (an
 * override) ended an hour ago, so her desktop asks; she answers while the collector is down; the
 * answer waits in the outbox, is applied once the collector is back, and the cached health
 * answer then carries it in the quarter's average.
 */
const { desktops, start } = desktopsAgainstCollector();

const HOUR = 3_600_000;

describe('fatigue pulse offline', () => {
  it('asks once after the shift, queues the answer offline, and the collector counts it after reconnect', async () => {
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const c = await start({
      configYaml: `
rotation:
  roster: [bob]
  overrides:
    - { role: primary, user: ana, from: "${iso(now - 3 * HOUR)}", to: "${iso(now - HOUR)}" }
`,
    });
    const ana = desktops.open(c, 'ana');
    await untilAsync(async () => (await ana.api.call('health.get', {})) !== null, 15_000, 'the health answer cached');
    const prompt = await untilAsync(() => ana.api.call('health.pulsePrompt', {}), 15_000, 'the pulse prompt');
    expect(prompt).toEqual({ shiftEnd: iso(now - HOUR), shiftStart: iso(now - 3 * HOUR), role: 'primary' });

    await c.kill('SIGKILL');
    await until(() => ana.sync.status().state !== 'connected', 5_000, 'offline');
    const { commandId } = await ana.api.call('health.pulse', {
      shiftEnd: prompt.shiftEnd,
      score: 5,
      comment: 'three nights',
    });
    expect(await ana.api.call('health.pulsePrompt', {})).toBeNull(); // asked once
    expect((await ana.api.call('outbox.list', {})).find((i) => i.id === commandId)?.state).toBe('queued');

    await c.restart();
    await untilAsync(
      async () => (await ana.api.call('outbox.list', {})).find((i) => i.id === commandId)?.state === 'applied',
      20_000,
      'the pulse applied',
    );
    const cached = await untilAsync(
      async () => {
        const h = await ana.api.call('health.get', {});
        return h !== null && h.answer.pulse.some((q) => q.responses === 1) ? h : undefined;
      },
      20_000,
      'the pulse in the cached health answer',
    );
    expect(cached.answer.pulse.find((q) => q.responses === 1)?.average).toBe(5);
  }, 60_000);
});

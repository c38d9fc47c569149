import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Collector } from '../../electron/collector/collector.js';
import { systemClock } from '../../shared/clock.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import { connectStream, errorBurst, postEvents, randomToken } from '../fixtures/collector.js';

/** Handles that belong to the runtime itself rather than to anything we opened. */
const activeHandles = (): string[] =>
  process
    .getActiveResourcesInfo()
    .filter((r) => r !== 'TTYWrap' && r !== 'FSReqCallback' && r !== 'Timeout')
    .sort();

describe('Collector.dispose', () => {
  it('leaves no server, socket, timer or database open', async () => {
    const before = activeHandles();
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const dataDir = mkdtempSync(join(tmpdir(), 'vigil-dispose-'));
    const token = randomToken();
    const collector = new Collector({
      dataDir,
      host: '127.0.0.1',
      port: 0,
      token,
      config: defaultCollectorConfig(),
      clock: systemClock,
      log: () => undefined,
    });
    const { port } = await collector.start();
    const url = `http://127.0.0.1:${port}`;
    await postEvents(
      url,
      token,
      errorBurst({
        service: 's',
        provider: 'openai',
        model: 'gpt-4o',
        startMs: 0,
        minutes: 15,
        perMinute: 60,
        errorRate: 0.5,
      }),
    );
    const s = await connectStream(url, token, { user: 'u' });
    await s.waitFor((f) => f.type === 'event');
    const closed = s.closed();
    await collector.dispose();
    expect((await closed).code).toBe(1001);
    // undici keeps idle keep-alive sockets in the test process; give them a tick to notice the close.
    await new Promise((r) => setTimeout(r, 100));
    expect(activeHandles()).toEqual(before);
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(timersBefore);
    // The database file is closed: it can be removed and reopened.
    rmSync(dataDir, { recursive: true, force: true });
  });
});

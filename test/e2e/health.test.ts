import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp, type App } from '../fixtures/e2e.js';

/**
 * Issue 15 in the browser: a page rings for the on-call (alice), she acknowledges it from the
 * ringing banner, and the Health view shows this rotation's pages and MTTA, fetched from the
 * collector's `GET /v1/health` into the desktop cache. Real collector, headless host, Chromium.
 */
const CONFIG = `
grouping: { wait: 300ms }
rotation:
  roster: [alice]
`;

describe('Health view', () => {
  let app: App;

  beforeAll(async () => {
    app = await openApp({ user: 'alice', collector: { configYaml: CONFIG } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it("shows this week's pages and MTTA after an incident is acknowledged", async () => {
    const { page, collector } = app;
    await page.getByTestId('nav-health').click();
    await expect.poll(() => page.getByTestId('health-week-pages').textContent(), { timeout: 15_000 }).toBe('0');
    expect(await page.getByTestId('health-week-mtta').textContent()).toBe('—');

    const res = await fetch(`${collector.url}/v1/integrations/events-v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${collector.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: 'e2e-health',
        event_action: 'trigger',
        payload: { summary: 'checkout answers 500', source: 'checkout', severity: 'critical' },
      }),
    });
    expect(res.status).toBe(202);
    const ack = page.getByTestId('ringing-ack');
    await ack.waitFor({ timeout: 20_000 });
    await page.waitForTimeout(1_100); // a measurable MTTA
    await ack.click();

    await page.getByTestId('nav-health').click();
    // Desktops pull health at most every HEALTH_PULL_GAP_MS (30 s) after incident changes.
    await expect.poll(() => page.getByTestId('health-week-pages').textContent(), { timeout: 60_000 }).toBe('1');
    expect(await page.getByTestId('health-week-mtta').textContent()).toMatch(/^\d+s$|^\dm \d\ds$/);
    await expect.poll(() => page.getByTestId('health-person-alice').textContent()).toContain('alice');
    // The per-person table switches between last week (the handoff meeting's) and this week.
    await page.getByTestId('health-period-this-week').click();
    expect(await page.getByTestId('health-person-alice-pages').textContent()).toBe('1');
    expect(await page.getByTestId('health-person-alice-mtta').textContent()).toMatch(/^\d+s$|^\dm \d\ds$/);
    await page.getByTestId('health-period-last-week').click();
    expect(await page.getByTestId('health-person-alice-pages').textContent()).toBe('0');
    expect(await page.getByTestId('health-as-of').textContent()).toMatch(/as of/);
    // The postmortems' action-item completion figure sits in the Health view (none yet here).
    expect(await page.getByTestId('health-action-items').textContent()).toContain('No action items yet');
  });
});

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { RotationConfig, whoIsOnCall } from '../../shared/rotation/index.js';
import { artifactPath, launchChromium } from '../fixtures/browser.js';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { waitConnected } from '../fixtures/e2e.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';

/**
 * The rotation calendar in Chromium, with real processes: a collector with a Berlin rotation,
 * two desktops (the current primary, viewing from New York, and the secondary). The week shows
 * this week's primary and secondary by name; an override made offline on one desktop waits in
 * its outbox, drawn pending, and appears on the other desktop after reconnect; the export
 * downloads an iCal file.
 */
const ROTATION = {
  timeZone: 'Europe/Berlin',
  handoff: { day: 'monday', time: '10:00' },
  start: '2025-01-06',
  roster: ['alice', 'bob', 'carol'],
} as const;
const CONFIG = `
rotation:
  timeZone: ${ROTATION.timeZone}
  handoff: { day: ${ROTATION.handoff.day}, time: "${ROTATION.handoff.time}" }
  start: "${ROTATION.start}"
  roster: [${ROTATION.roster.join(', ')}]
`;

async function textMatches(locator: Locator, re: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = (await locator.count()) > 0 ? await locator.first().innerText() : '';
    if (re.test(text)) return text;
    if (performance.now() > deadline) throw new Error(`text ${JSON.stringify(text)} never matched ${String(re)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('rotation calendar in the browser', () => {
  const onCall = whoIsOnCall(RotationConfig.parse(ROTATION), Date.now());
  let collector: CollectorHandle;
  let hosts: HeadlessHandle[] = [];
  let browser: Browser;
  let primary: Page;
  let secondary: Page;

  beforeAll(async () => {
    collector = await startCollector({ configYaml: CONFIG });
    hosts = await Promise.all(
      [onCall.primary, onCall.secondary].map((user) =>
        startHeadless({ collectorUrl: collector.url, collectorToken: collector.token, user }),
      ),
    );
    browser = await launchChromium();
    const zones = ['America/New_York', 'Europe/Berlin'];
    [primary, secondary] = (await Promise.all(
      hosts.map(async (h, i) => {
        const ctx = await browser.newContext({
          viewport: { width: 1400, height: 820 },
          timezoneId: zones[i],
          acceptDownloads: true,
        });
        const page = await ctx.newPage();
        await page.goto(h.url);
        await waitConnected(page);
        return page;
      }),
    )) as [Page, Page];
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(hosts.map((h) => h.stop()));
    await collector?.stop();
  });

  it('shows this week’s primary and secondary by name, "now", both zones, and the top-bar line', async () => {
    await textMatches(primary.getByTestId('shift-line'), /^You are primary until \w{3} \d{2}:\d{2}/);
    await primary.getByTestId('nav-rotation').click();
    const view = primary.getByTestId('rotation-view');
    await view.getByTestId('rotation-week').waitFor({ timeout: 10_000 });
    const nowPrimary = view.locator('[data-testid="rotation-piece"][data-role="primary"][data-now="true"]').first();
    const nowSecondary = view.locator('[data-testid="rotation-piece"][data-role="secondary"][data-now="true"]').first();
    expect(await nowPrimary.getAttribute('data-user')).toBe(onCall.primary);
    expect(await nowSecondary.getAttribute('data-user')).toBe(onCall.secondary);
    expect(await nowPrimary.innerText()).toContain(onCall.primary);
    await view.getByTestId('rotation-now').first().waitFor();
    const zones = await view.getByTestId('rotation-zones').innerText();
    expect(zones).toContain('America/New_York');
    expect(zones).toContain('Europe/Berlin');
    // Handoffs drawn in the viewer's zone: Monday 10:00 Berlin is 04:00 (or 03:00 around DST) in New York.
    await primary.getByTestId('rotation-mode-month').click();
    await view.getByTestId('rotation-month').waitFor();
    await primary.screenshot({ path: artifactPath('rotation-month.png') });
    await primary.getByTestId('rotation-mode-week').click();
    await primary.screenshot({ path: artifactPath('rotation-week.png') });

    // Export: an iCal file built from the cache.
    const [download] = await Promise.all([
      primary.waitForEvent('download'),
      view.getByTestId('rotation-export').click(),
    ]);
    expect(download.suggestedFilename()).toBe('vigil-rotation.ics');
    const path = await download.path();
    const ics = readFileSync(path, 'utf8');
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r?\nVERSION:2\.0/);
    expect(ics).toContain(`SUMMARY:${onCall.primary} (primary)`);
  }, 60_000);

  it('an override made offline waits as pending, then appears on the other desktop after reconnect', async () => {
    const view = primary.getByTestId('rotation-view');
    await collector.kill('SIGKILL');
    await primary
      .getByTestId('connection-status')
      .and(primary.locator('[data-state="offline"]'))
      .waitFor({ timeout: 15_000 });

    // Offline: the calendar still reads; the primary hands the rest of their shift to dave.
    await view.locator('[data-testid="rotation-piece"][data-role="primary"][data-now="true"]').first().click();
    const editor = view.getByTestId('shift-editor');
    await editor.getByTestId('override-user').fill('dave');
    await editor.getByTestId('override-create').click();
    // Until the end of the primary's shift: the Monday 10:00 Berlin handoff (04:00 in New York, 03:00/05:00 in DST gaps).
    await textMatches(
      view.getByTestId('rotation-change'),
      /dave covers primary \w{3} \d{2}:\d{2} → Mon 0[345]:00 · queued: applies when back online/,
    );
    await view.locator('[data-testid="rotation-piece"][data-user="dave"][data-kind="pending"]').first().waitFor();
    await primary.screenshot({ path: artifactPath('rotation-override-offline.png') });

    // Back online: applied once; the second desktop shows it as an override made by the primary.
    await collector.restart();
    await waitConnected(primary);
    await view.getByTestId('rotation-change').waitFor({ state: 'detached', timeout: 15_000 });
    await secondary.getByTestId('nav-rotation').click();
    const other = secondary.getByTestId('rotation-view');
    const dave = other.locator('[data-testid="rotation-piece"][data-user="dave"][data-kind="override"]').first();
    await dave.waitFor({ timeout: 15_000 });
    expect(await dave.innerText()).toContain(`override · ${onCall.primary}`);
    expect(await dave.getAttribute('data-now')).toBe('true');
    await textMatches(primary.getByTestId('shift-line'), /^Next shift: (primary|secondary) from /);
    await secondary.screenshot({ path: artifactPath('rotation-override-reconnected.png') });
  }, 90_000);
});

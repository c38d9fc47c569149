import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { RotationConfig, whoIsOnCall } from '../../shared/rotation/index.js';
import { artifactPath, launchChromium } from '../fixtures/browser.js';
import { errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { CHECKOUT, errorRateBurst, openConnectedPage } from '../fixtures/e2e.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';

/**
 * Paging end to end: a real collector with a 20 s ack SLA and a two-person rotation, two headless
 * hosts (the primary and the secondary) and Chromium. The page fires (its incident rings after a
 * short group wait), the incident's countdown shows and ticks on both, and after the deadline the
 * secondary's client shows it escalated to them.
 */
const SLA_S = 20;
/** The incident's group wait before its first ring (default 30 s): short, so the test is. */
const GROUP_WAIT_S = 1;
const ROSTER = ['alice', 'bob'];
const CONFIG = `
grouping:
  wait: ${GROUP_WAIT_S}s
escalation:
  tiers:
    page:
      renotifyEvery: 60s
      ackSla: { businessHours: ${SLA_S}s, outsideHours: ${SLA_S}s }
      levels: [primary, secondary]
rotation:
  roster: [${ROSTER.join(', ')}]
`;

describe('paging: countdown and escalation in the browser', () => {
  const onCall = whoIsOnCall(RotationConfig.parse({ roster: ROSTER }), Date.now());
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
    [primary, secondary] = (await Promise.all(
      hosts.map((h) => openConnectedPage(browser, h.url, { width: 1280, height: 800 })),
    )) as [Page, Page];
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(hosts.map((h) => h.stop()));
    await collector?.stop();
  });

  it('shows a ticking countdown, then the secondary sees the page escalated to them', async () => {
    const startMs = Date.now() - 20 * 60_000;
    const posted = await postEvents(collector.url, collector.token, [
      ...errorRateBurst(startMs),
      ...errorBurst({
        ...CHECKOUT,
        startMs: startMs + 17 * 60_000,
        minutes: 1,
        perMinute: 1,
        errorRate: 0,
      }),
    ]);
    expect(posted.status).toBe(200);

    // The primary: the incident's row counts down to the secondary, and the top bar says the page is theirs.
    const countdown = primary.getByTestId('row-countdown');
    await countdown.waitFor({ timeout: 10_000 + GROUP_WAIT_S * 1000 });
    await expect
      .poll(() => primary.getByTestId('alarm-top').textContent(), { timeout: 5_000 })
      .toMatch(/1 page for you/);
    const first = await countdown.textContent();
    expect(first).toMatch(/^0:[0-2]\d$/);
    await expect.poll(() => countdown.textContent(), { timeout: 3_000 }).not.toBe(first);
    await expect(primary.locator('.row-escalation').textContent()).resolves.toContain(onCall.secondary);
    await primary.getByTestId('incident-row').first().click();
    await primary.getByTestId('detail-countdown').waitFor();
    await primary.screenshot({ path: artifactPath('paging-primary-countdown.png') });

    // The secondary: not rung yet, but the Escalations view lists the page with who holds it.
    expect(await secondary.getByTestId('alarm-top').count()).toBe(0);
    await secondary.getByTestId('nav-escalations').click();
    const item = secondary.getByTestId('escalation-item');
    await item.waitFor({ timeout: 5_000 });
    await expect(item.getByTestId('escalation-holder').textContent()).resolves.toBe(onCall.primary);
    await secondary.screenshot({ path: artifactPath('paging-secondary-escalations.png') });

    // After the deadline the collector escalates; the secondary's client rings and shows level 2.
    await secondary.getByTestId('alarm-top').waitFor({ timeout: (SLA_S + 10) * 1000 });
    await secondary.getByTestId('escalations-empty').waitFor();
    await secondary.getByTestId('nav-inbox').click();
    await secondary.getByTestId('incident-row').first().click();
    await expect
      .poll(() => secondary.getByTestId('escalation').textContent(), { timeout: 5_000 })
      .toMatch(new RegExp(`level 2 · held by ${onCall.secondary}`));
    // The alarm sound loops; where the browser blocks audio without a gesture the page says so
    // and one click enables it.
    const top = secondary.getByTestId('alarm-top');
    await expect.poll(() => top.getAttribute('data-sound'), { timeout: 5_000 }).toMatch(/^(playing|blocked)$/);
    await secondary.screenshot({ path: artifactPath('paging-secondary-escalated.png') });
    if ((await top.getAttribute('data-sound')) === 'blocked') {
      await secondary.getByTestId('sound-blocked').waitFor();
      await secondary.getByTestId('enable-sound').click();
    }
    await expect.poll(() => top.getAttribute('data-sound'), { timeout: 5_000 }).toBe('playing');

    // Acknowledging with the keyboard stops the alarm.
    await secondary.keyboard.press('a');
    await secondary.getByTestId('alarm-top').waitFor({ state: 'hidden', timeout: 10_000 });
  });
});

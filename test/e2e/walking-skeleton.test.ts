import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { AlertList, type Alert } from '../../shared/protocol/alert.js';
import { artifactPath, launchChromium } from '../fixtures/browser.js';
import { errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';

/**
 * The foundation's walking skeleton, end to end with real processes: events over HTTP → the
 * collector's error-rate rule fires a page → ws stream → the host's SyncClient and SQLite cache →
 * the renderer's Inbox in Chromium → Acknowledge → outbox → collector, acknowledged by the user.
 */
const USER = 'alice';

async function alerts(c: CollectorHandle): Promise<Alert[]> {
  const res = await fetch(`${c.url}/v1/alerts`, { headers: { authorization: `Bearer ${c.token}` } });
  expect(res.status).toBe(200);
  return AlertList.parse(await res.json()).alerts;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('walking skeleton: telemetry to an acknowledged alert', () => {
  let collector: CollectorHandle;
  let host: HeadlessHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    collector = await startCollector();
    host = await startHeadless({ collectorUrl: collector.url, collectorToken: collector.token, user: USER });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(host.url);
    await page
      .getByTestId('connection-status')
      .and(page.locator('[data-state="connected"]'))
      .waitFor({ timeout: 15_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await collector?.stop();
  });

  it('shows a firing page in the inbox within 2 s and acknowledges it as the user', async () => {
    await page.getByTestId('inbox-empty').waitFor({ state: 'visible' });

    // 15 minutes of event time at 30% errors: the error-rate rule (>5% over 5 min, for 10 min) fires on ingest.
    const startMs = Date.now() - 20 * 60_000;
    const posted = await postEvents(collector.url, collector.token, [
      ...errorBurst({
        service: 'checkout',
        provider: 'openai',
        model: 'gpt-4o',
        startMs,
        minutes: 15,
        perMinute: 100,
        errorRate: 0.3,
      }),
    ]);
    expect(posted.status).toBe(200);

    const fired = await waitFor(
      'the alert to fire',
      async () => (await alerts(collector)).find((a) => a.ruleId === 'error-rate'),
      5_000,
    );
    const firedSeenAt = performance.now();
    expect(fired.tier).toBe('page');
    expect(fired.status).toBe('firing');

    const row = page.locator(`[data-testid="alert-row"][data-alert-id="${fired.id}"]`);
    await row.waitFor({ timeout: 2_000 });
    expect(performance.now() - firedSeenAt).toBeLessThan(2_000);
    const rowText = (await row.textContent()) ?? '';
    expect(rowText).toContain('checkout');
    expect(rowText).toContain('openai');
    expect(rowText).toContain('gpt-4o');
    expect(rowText).toMatch(/page/i);
    expect(rowText).toMatch(/error rate/i);
    expect(rowText).toMatch(/ago|now/);

    await row.click();
    const detail = page.getByTestId('alert-detail');
    await detail.waitFor();
    await page.screenshot({ path: artifactPath('walking-skeleton-firing.png') });
    await detail.getByRole('button', { name: 'Acknowledge' }).click();

    const acked = await waitFor(
      'the collector to record the ack',
      async () => (await alerts(collector)).find((a) => a.id === fired.id && a.status === 'acknowledged'),
      5_000,
    );
    expect(acked.acknowledgedBy).toBe(USER);
    expect(acked.acknowledgedAt).toBeDefined();

    await page
      .locator(`[data-testid="alert-row"][data-alert-id="${fired.id}"][data-status="acknowledged"]`)
      .waitFor({ state: 'visible', timeout: 5_000 });
    expect(await row.getByTestId('acked-by').textContent()).toContain(USER);
    await page.screenshot({ path: artifactPath('walking-skeleton-acknowledged.png') });
  });
});

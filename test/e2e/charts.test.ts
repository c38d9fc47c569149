import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Alert } from '../../shared/protocol/alert.js';
import { artifactPath } from '../fixtures/browser.js';
import { errorBurst, postEvents, type CollectorHandle } from '../fixtures/collector.js';
import { CHECKOUT, collectorAlerts, errorRateBurst, openApp, type App } from '../fixtures/e2e.js';
import { openAlert } from './inbox.js';

/**
 * Charts end to end: events → collector rollups → the host's chart poller (`/v1/rollups`) → the
 * cache → `series.query` → uPlot in Chromium. Then the collector dies and the charts still render
 * from the cache, saying how old the data is.
 */
const USER = 'carol';

async function legendValues(page: Page, panel: string): Promise<string[]> {
  return page.getByTestId(`chart-${panel}`).getByTestId('legend-value').allTextContents();
}

describe('charts', () => {
  let app: App;
  let collector: CollectorHandle;
  let page: Page;
  let alert: Alert;

  beforeAll(async () => {
    app = await openApp({
      user: USER,
      viewport: { width: 1440, height: 1000 },
      seed: async (c) => {
        const now = Date.now();
        // An hour of clean traffic, then 15 minutes at 30% errors: the error-rate rule fires a page.
        const events = [
          ...errorBurst({ ...CHECKOUT, startMs: now - 80 * 60_000, minutes: 60, perMinute: 20, errorRate: 0 }),
          ...errorRateBurst(now - 20 * 60_000),
          ...errorBurst({
            service: 'search',
            provider: 'anthropic',
            model: 'claude-haiku-4',
            startMs: now - 80 * 60_000,
            minutes: 75,
            perMinute: 10,
            errorRate: 0,
          }),
        ];
        for (let i = 0; i < events.length; i += 2000) {
          expect((await postEvents(c.url, c.token, events.slice(i, i + 2000))).status).toBe(200);
        }
        const fired = (await collectorAlerts(c)).find((a) => a.ruleId === 'error-rate');
        expect(fired, 'the error-rate rule fired').toBeDefined();
        alert = fired as Alert;
      },
    });
    ({ collector, page } = app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('renders latency, error, cost and request charts from the synced cache', async () => {
    await page.getByTestId('nav-charts').click();
    const view = page.getByTestId('charts-view');
    await view.waitFor();
    for (const id of ['latency', 'errors', 'cost', 'requests']) {
      await page.locator(`[data-testid="chart-${id}"][data-state="ready"] canvas`).first().waitFor({ timeout: 15_000 });
    }
    const latency = await legendValues(page, 'latency');
    expect(latency).toHaveLength(3);
    for (const v of latency) expect(v).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    const errors = await legendValues(page, 'errors');
    expect(errors.length).toBeGreaterThanOrEqual(2);
    // Rates read with the request count behind them (issue 14).
    for (const v of errors) expect(v).toMatch(/% of \d+$/);
    for (const v of await legendValues(page, 'cost')) expect(v).toMatch(/^\$[\d.]+\/h$/);
    expect(await page.getByTestId('charts-data-age').getAttribute('data-offline')).toBe('false');

    // Filtering by model narrows every panel to that model.
    await page.getByTestId('chart-filter-model').selectOption('claude-haiku-4');
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="chart-errors"] [data-testid="legend-value"]').length === 1,
    );
    await page.screenshot({ path: artifactPath('charts-online.png') });
    await page.getByTestId('chart-filter-model').selectOption('');
  });

  it('shows the alert series around firedAt in the alert detail', async () => {
    await page.getByTestId('nav-inbox').click();
    await openAlert(page, alert);
    const chart = page.getByTestId('alert-detail').getByTestId('chart-alert');
    await chart.locator('canvas').first().waitFor({ timeout: 10_000 });
    const values = await chart.getByTestId('legend-value').allTextContents();
    expect(values).toHaveLength(1);
    expect(values[0]).toMatch(/% of \d+$/);
    await page.screenshot({ path: artifactPath('charts-alert-detail.png') });
  });

  it('marks the incident on the time axis and draws the rule line; the marker opens the incident', async () => {
    await page.getByTestId('nav-charts').click();
    const errors = page.getByTestId('chart-errors');
    await errors.locator('[data-testid="chart-marker"]').first().waitFor({ timeout: 15_000 });
    // The error-rate rule's line, from the collector's configured threshold (5 % by default).
    const rule = errors.locator('[data-testid="chart-rule"][data-role="threshold"]');
    await expect.poll(() => rule.first().textContent(), { timeout: 10_000 }).toMatch(/threshold\s*5\.0+ %/);
    // Every chart carries the markers, not just the alert's.
    expect(await page.locator('[data-testid="chart-requests"] [data-testid="chart-marker"]').count()).toBeGreaterThan(
      0,
    );
    // Hover readout: the time and each line's value (with its sample count) under the cursor.
    const box = await errors.locator('.u-over').boundingBox();
    if (box) await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await errors.getByTestId('legend-time').waitFor({ timeout: 5_000 });
    expect((await errors.getByTestId('legend-value').allTextContents()).some((v) => / of \d+$/.test(v))).toBe(true);
    await page.screenshot({ path: artifactPath('charts-incident-marker.png') });

    await errors.locator('[data-testid="chart-marker"]').first().click();
    const detail = page.getByTestId('incident-detail');
    await detail.waitFor({ timeout: 10_000 });
    expect(await detail.getAttribute('data-incident-id')).toBe(alert.incidentId);
    // The incident's own chart: zoomed to its window, with the rule's line.
    const chart = detail.getByTestId('chart-alert');
    await chart.locator('canvas').first().waitFor({ timeout: 10_000 });
    await chart.locator('[data-testid="chart-rule"][data-role="threshold"]').first().waitFor({ timeout: 10_000 });
    expect(await chart.locator('[data-testid="chart-marker"]').count()).toBe(1);
    await page.screenshot({ path: artifactPath('charts-incident-detail.png') });
  });

  it('still renders from the cache with the collector dead, and says how old the data is', async () => {
    await collector.kill('SIGKILL');
    await page
      .getByTestId('connection-status')
      .and(page.locator('[data-state="offline"]'))
      .waitFor({ timeout: 40_000 });
    // A fresh page: nothing left in the renderer's memory, everything comes from the host's cache.
    await page.reload();
    await page.getByTestId('nav-charts').click();
    const age = page.getByTestId('charts-data-age');
    await page.locator('[data-testid="charts-data-age"][data-offline="true"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => age.textContent(), { timeout: 15_000 }).toMatch(/Offline.*data \d+[smhd].* old/);
    await page.locator('[data-testid="chart-latency"][data-state="ready"] canvas').first().waitFor({ timeout: 15_000 });
    const latency = await legendValues(page, 'latency');
    expect(latency).toHaveLength(3);
    for (const v of latency) expect(v).not.toBe('—');
    expect(await page.locator('[data-testid="chart-requests"] canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: artifactPath('charts-offline.png') });
  });
});

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath } from '../fixtures/browser.js';
import type { CollectorHandle } from '../fixtures/collector.js';
import { collectorAlerts, openApp, tripErrorRate, waitFor, type App } from '../fixtures/e2e.js';
import { openAlert } from './inbox.js';

/**
 * Runbooks end to end, real processes: an error-rate page fires → the alert detail opens the
 * error-rate runbook → walk two branches → the path lands on the alert's timeline (through the
 * outbox and the collector) → kill the collector → search the cached runbooks offline.
 * VIGIL_RENDERER_DIR points at a renderer build other than out/renderer (as `npm test` builds it).
 */
const USER = 'alice';

describe('runbooks in the app', () => {
  let app: App;
  let collector: CollectorHandle;
  let page: Page;

  beforeAll(async () => {
    app = await openApp({
      user: USER,
      viewport: { width: 1280, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
      ...(process.env.VIGIL_RENDERER_DIR ? { rendererDir: process.env.VIGIL_RENDERER_DIR } : {}),
    });
    ({ collector, page } = app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('opens the alert runbook, walks two branches, records the path, then searches offline', async () => {
    const posted = await tripErrorRate(collector);
    expect(posted.status).toBe(200);
    const fired = await waitFor(
      'the alert to fire',
      async () => (await collectorAlerts(collector)).find((a) => a.ruleId === 'error-rate'),
      10_000,
    );

    await openAlert(page, fired);
    const walker = page.getByTestId('alert-runbook').getByTestId('runbook-walker');
    await walker.and(page.locator('[data-runbook-id="error-rate"]')).waitFor({ timeout: 10_000 });
    expect(await walker.getByTestId('runbook-title').textContent()).toMatch(/Error rate/);
    const step = walker.getByTestId('runbook-step');
    expect(await step.getAttribute('data-step')).toBe('1');

    // Commands carry a copy button that puts the exact text on the clipboard.
    await step.getByTestId('copy-command').first().click();
    await step.getByRole('button', { name: 'Copy command' }).first().filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('/v1/series?metric=error_rate');

    // Branch 1: "most errors are rate_limit" → step 2.
    await step.getByTestId('runbook-branch').filter({ hasText: '→ step 2' }).click();
    await walker.locator('[data-testid="runbook-step"][data-step="2"]').waitFor();
    expect(await walker.getByTestId('runbook-path').innerText()).toMatch(/1\s*2/);
    // Branch 2: "traffic jumped" → stop.
    await walker.getByTestId('runbook-branch').filter({ hasText: '→ stop' }).first().click();
    await walker.locator('[data-testid="runbook-done"][data-outcome="stop"]').waitFor();
    await walker.locator('[data-testid="runbook-recorded"][data-state="saved"]').waitFor({ timeout: 5_000 });

    const note = 'runbook error-rate: 1 → 2 (stop)';
    await page.getByTestId('timeline').getByText(note).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: artifactPath('runbooks-walked.png') });

    // Collector gone: the runbooks are still in the app's cache, searchable.
    await collector.kill();
    await page
      .getByTestId('connection-status')
      .and(page.locator(':not([data-state="connected"])'))
      .waitFor({ timeout: 15_000 });
    await page.getByTestId('nav-runbooks').click();
    await page.getByTestId('runbook-search').fill('backoff');
    const hit = page.locator('[data-testid="runbook-hit"][data-id="cost-anomaly"]');
    await hit.waitFor({ timeout: 5_000 });
    expect(await hit.locator('mark').first().textContent()).toMatch(/backoff/i);
    await hit.click();
    await page
      .getByTestId('runbooks-view')
      .locator('[data-testid="runbook-walker"][data-runbook-id="cost-anomaly"]')
      .waitFor();
    await page.screenshot({ path: artifactPath('runbooks-offline-search.png') });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { artifactPath } from '../fixtures/browser.js';
import type { CollectorHandle } from '../fixtures/collector.js';
import { collectorAlerts, openApp, waitFor, type App } from '../fixtures/e2e.js';
import { seedAlertLog } from '../integration/sync-helpers.js';
import { incidentRow, memberRow, openAlert } from './inbox.js';

/**
 * Offline in Chromium, with real processes: the collector dies, the page says so and keeps the
 * cached inbox browsable; an ack made offline waits as queued and reaches the collector once it
 * is back.
 */
const USER = 'alice';

/** Waits until the locator's text matches (playwright-core has no test matchers). */
async function textMatches(locator: Locator, re: RegExp | string, timeoutMs = 10_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = (await locator.count()) > 0 ? await locator.first().innerText() : '';
    if (typeof re === 'string' ? text.includes(re) : re.test(text)) return text;
    if (performance.now() > deadline) throw new Error(`text ${JSON.stringify(text)} never matched ${String(re)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('offline desktop', () => {
  let app: App;
  let collector: CollectorHandle;
  let page: Page;
  let collectorDir: string;

  beforeAll(async () => {
    collectorDir = mkdtempSync(join(tmpdir(), 'vigil-e2e-offline-'));
    seedAlertLog(collectorDir, 12, { alerts: 3, now: Date.now() - 5 * 60_000 });
    app = await openApp({ user: USER, collector: { dataDir: collectorDir } });
    ({ collector, page } = app);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(collectorDir, { recursive: true, force: true });
  });

  it('shows offline with the cached inbox, queues an ack, and delivers it on reconnect', async () => {
    const [target] = await collectorAlerts(collector);
    if (!target?.incidentId) throw new Error('no seeded alert in an incident');
    // Three alerts on three services: three incidents (grouped by service).
    const rows = page.getByTestId('incident-row');
    await rows.first().waitFor({ timeout: 10_000 });
    expect(await rows.count()).toBe(3);

    // The collector dies.
    await collector.kill('SIGKILL');
    const status = page.getByTestId('connection-status');
    await status.and(page.locator('[data-state="offline"]')).waitFor({ timeout: 10_000 });
    const offlineText = await textMatches(status, /Offline since \d{2}:\d{2}/);
    expect(offlineText).toMatch(/data .+ old/);

    // The cached inbox is still there and an alert opens, timeline and all.
    expect(await rows.count()).toBe(3);
    const detail = await openAlert(page, target);
    await textMatches(detail, target.summary);
    await textMatches(detail.getByTestId('timeline'), /fired/i);

    // Ack offline: it waits in the outbox, visibly.
    await detail.getByRole('button', { name: 'Acknowledge' }).click();
    await textMatches(detail.getByTestId('command-pending'), /queued/i);
    await textMatches(page.getByTestId('pending-commands'), '1 command waiting');
    await page.screenshot({ path: artifactPath('offline-queued-ack.png') });

    // The collector comes back: the ack goes through, once, as this user.
    await collector.restart();
    const acked = await waitFor(
      'the ack to reach the collector',
      async () => (await collectorAlerts(collector)).find((a) => a.id === target.id && a.status === 'acknowledged'),
      15_000,
    );
    expect(acked.acknowledgedBy).toBe(USER);
    await status.and(page.locator('[data-state="connected"]')).waitFor({ timeout: 10_000 });
    await memberRow(page, target.id).and(page.locator('[data-status="acknowledged"]')).waitFor({ timeout: 10_000 });
    await incidentRow(page, target.incidentId)
      .and(page.locator('[data-status="acknowledged"]'))
      .waitFor({ timeout: 10_000 });
    await page.getByTestId('pending-commands').waitFor({ state: 'detached', timeout: 10_000 });
    await page.screenshot({ path: artifactPath('offline-ack-delivered.png') });
  });
});

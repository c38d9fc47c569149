import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium } from '../fixtures/browser.js';
import { startDemoHost, type DemoHost } from '../integration/process-tree.js';

/**
 * Issue 16, the first ten minutes: a fresh `npm run web` host (demo mode, no flags but a short
 * backfill, its own data dir) in Chromium at 1280×720. The person at the keyboard (the OS user)
 * is this week's primary of the demo rotation, so the demo outage rings for them within a minute
 * of opening the page; the alarm-sound bar (audio blocked until a gesture) is one slim line and
 * the inbox keeps the screen; every view fits the width; Settings switches who I am and the ring
 * follows (the secondary is not rung; switching back rings again).
 */
const VIEWPORT = { width: 1280, height: 720 };
const RING_WITHIN_MS = 60_000;
/** One line: the bar must never take the views' space again (it used to fill 60% of the screen). */
const MAX_SOUND_BAR_PX = 40;
const VIEWS = [
  'inbox',
  'escalations',
  'rotation',
  'silences',
  'charts',
  'runbooks',
  'health',
  'action-items',
  'review',
  'settings',
] as const;
const me = userInfo().username;

let xdg: string;
let host: DemoHost;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  xdg = mkdtempSync(join(tmpdir(), 'vigil-first-run-'));
  host = await startDemoHost({ xdgDataHome: xdg, backfill: '30m' });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: VIEWPORT });
  // Audio blocked until a click, as in a desktop browser the user just opened (headless Chromium
  // lets it play): the page's AudioContext stays suspended, so the sound bar shows.
  await page.addInitScript(() => {
    Object.defineProperty(AudioContext.prototype, 'state', { get: () => 'suspended' });
    AudioContext.prototype.resume = () => Promise.resolve();
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await host?.stop();
  if (xdg) rmSync(xdg, { recursive: true, force: true });
});

function hostUrl(): string {
  const m = /Vigil is running at (\S+)/.exec(host.output());
  if (!m?.[1]) throw new Error('no URL');
  return m[1];
}

/** Widths past the viewport: the document, and the open view's own scroll width. */
async function overflow(p: Page): Promise<{ doc: number; worst: string | null }> {
  return p.evaluate(() => {
    const w = window.innerWidth;
    let worst: string | null = null;
    for (const el of document.querySelectorAll('.topbar, .viewnav, .views > :last-child, .sound-blocked, .ringing')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 || el.scrollWidth > el.clientWidth + 1) worst = `${el.className} (${el.scrollWidth}px)`;
    }
    return { doc: document.documentElement.scrollWidth - w, worst };
  });
}

describe('first run: npm run web rings for the person at the keyboard', () => {
  it('rings one page for the user within a minute of opening, with a slim sound bar', async () => {
    const opened = performance.now();
    await page.goto(hostUrl());
    const ringing = page.getByTestId('ringing-incident');
    await ringing.first().waitFor({ timeout: RING_WITHIN_MS });
    const ms = performance.now() - opened;
    console.log(`the demo page rang ${(ms / 1000).toFixed(1)} s after opening`);
    expect(ms).toBeLessThan(RING_WITHIN_MS);
    expect(await ringing.count()).toBe(1);
    await expect.poll(() => page.getByTestId('alarm-top').getAttribute('data-sound')).toBe('blocked');
    await expect.poll(() => page.getByTestId('current-user').textContent()).toContain(me);

    const bar = await page.getByTestId('sound-blocked').boundingBox();
    expect(bar?.height ?? 0).toBeGreaterThan(0);
    expect(bar?.height ?? Infinity).toBeLessThanOrEqual(MAX_SOUND_BAR_PX);
    // The inbox keeps the screen: it starts high and takes most of the height.
    const inbox = await page.locator('.workspace').boundingBox();
    expect(inbox?.y ?? Infinity).toBeLessThan(VIEWPORT.height * 0.4);
    expect(inbox?.height ?? 0).toBeGreaterThan(VIEWPORT.height * 0.5);
    await page.screenshot({ path: artifactPath('first-run-inbox-ringing.png') });
  });

  it('every view fits 1280×720 (screenshots under test-results/e2e/)', async () => {
    // The inbox with the ringing incident open (its alerts, timeline and actions).
    await page.getByTestId('incident-row').first().click();
    await page.waitForTimeout(500);
    const detail = await overflow(page);
    await page.screenshot({ path: artifactPath('first-run-incident-1280x720.png') });
    expect(detail.doc, 'incident: the document is wider than the viewport').toBeLessThanOrEqual(0);
    expect(detail.worst, 'incident: overflows').toBeNull();
    for (const view of VIEWS) {
      await page.getByTestId(`nav-${view}`).click();
      await page.locator('.views > :last-child').waitFor();
      await page.waitForTimeout(300);
      const o = await overflow(page);
      await page.screenshot({ path: artifactPath(`first-run-${view}-1280x720.png`) });
      expect(o.doc, `${view}: the document is wider than the viewport`).toBeLessThanOrEqual(0);
      expect(o.worst, `${view}: overflows`).toBeNull();
    }
  });

  it('Settings changes who I am and the ring follows; the Demo menu lists the live scenario', async () => {
    await page.getByTestId('nav-settings').click();
    const select = page.getByTestId('settings-user-select');
    // The roster is offered: the demo's secondary is there.
    await expect.poll(() => select.locator('option').allTextContents()).toContain('alex');
    await select.selectOption('alex');
    await page.getByTestId('settings-user-save').click();
    await expect.poll(() => page.getByTestId('settings-current-user').textContent()).toBe('alex');
    await expect.poll(() => page.getByTestId('current-user').textContent()).toContain('alex');
    // alex is the secondary: the page is theirs only once it escalates, so nothing rings.
    await page.getByTestId('ringing-banner').waitFor({ state: 'hidden', timeout: 15_000 });
    await page.screenshot({ path: artifactPath('first-run-settings-switched.png') });

    await select.selectOption(me);
    await page.getByTestId('settings-user-save').click();
    await page.getByTestId('ringing-incident').first().waitFor({ timeout: 15_000 });

    await page.getByTestId('demo-menu').locator('summary').click();
    await expect.poll(() => page.getByTestId('demo-scenario-provider-outage').isChecked()).toBe(true);
    // A controlled switch: it flips once the host answers.
    await page.getByTestId('demo-scenario-cost-bug').click();
    await expect.poll(() => page.getByTestId('demo-scenario-cost-bug').isChecked()).toBe(true);
    await expect.poll(() => host.output()).toMatch(/scenario cost-bug on/);
    await page.screenshot({ path: artifactPath('first-run-demo-menu.png') });
  });
});

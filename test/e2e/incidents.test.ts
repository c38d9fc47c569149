import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { RotationConfig, whoIsOnCall } from '../../shared/rotation/index.js';
import { stopChild } from '../fixtures/child-process.js';
import { artifactPath, launchChromium } from '../fixtures/browser.js';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { collectorAlerts, openConnectedPage, waitFor } from '../fixtures/e2e.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';
import { collectorIncidents, expandIncident, incidentRow, openAlert } from './inbox.js';

/**
 * Issue 12 in the browser: the demo's openai outage (the simulator's `provider-outage`, as
 * `npm run web` starts it) raises provider-down and an error-rate page per service. With the
 * default grouping (30 s group wait) and the default inhibition rule they are ONE incident that
 * rings once for the on-call; expanding it shows every alert, the error-rate ones marked
 * "inhibited by provider-down"; acknowledging the incident stops the ring and acknowledges every
 * member at the collector. Real collector, real simulator, real headless host, Chromium.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const ROSTER = ['alice', 'bob'];
const CONFIG = `
rotation:
  roster: [${ROSTER.join(', ')}]
`;
/** The collector's default group wait, plus room for a loaded machine. */
const RING_TIMEOUT_MS = 30_000 + 30_000;

/** The demo's traffic, once: an hour of history with the openai outage for its last 20 minutes. */
async function simulateOutage(c: CollectorHandle): Promise<void> {
  const args = ['--import', 'tsx', join(ROOT, 'electron/collector/simulator/cli.ts'), '--url', c.url];
  args.push('--backfill', '1h', '--once', '--scenario', 'provider-outage', '--scenario-since', '20m');
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, VIGIL_TOKEN: c.token },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await Promise.race([
    new Promise<number | null>((r) => proc.on('exit', r)),
    new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000)),
  ]);
  if (code === 'timeout') await stopChild(proc, 'SIGKILL', 5_000);
  if (code !== 0) throw new Error(`simulator exited with ${String(code)}:\n${stderr}`);
}

describe('the demo outage is one incident', () => {
  const onCall = whoIsOnCall(RotationConfig.parse({ roster: ROSTER }), Date.now());
  let collector: CollectorHandle;
  let host: HeadlessHandle;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    collector = await startCollector({ configYaml: CONFIG });
    host = await startHeadless({ collectorUrl: collector.url, collectorToken: collector.token, user: onCall.primary });
    browser = await launchChromium();
    page = await openConnectedPage(browser, host.url, { width: 1280, height: 900 });
  });

  afterAll(async () => {
    await browser?.close();
    await host?.stop();
    await collector?.stop();
  });

  it('rings one incident, shows its members in place, and stops ringing once acknowledged', async () => {
    await simulateOutage(collector);

    // The collector: provider-down and the per-service error-rate pages, all in one incident.
    const alerts = await waitFor(
      'provider-down and at least two error-rate pages',
      async () => {
        const all = await collectorAlerts(collector);
        const open = all.filter((a) => a.status !== 'resolved');
        const ok =
          open.some((a) => a.ruleId === 'provider-down') && open.filter((a) => a.ruleId === 'error-rate').length >= 2;
        return ok ? open : undefined;
      },
      15_000,
    );
    const cause = alerts.find((a) => a.ruleId === 'provider-down');
    const incidentId = cause?.incidentId;
    if (!incidentId) throw new Error('provider-down belongs to no incident');
    const outage = alerts.filter((a) => a.labels.provider === 'openai');
    expect(new Set(outage.map((a) => a.incidentId))).toEqual(new Set([incidentId]));

    // The page: it rings once the group wait is over, for exactly one incident.
    const top = page.getByTestId('alarm-top');
    await top.waitFor({ timeout: RING_TIMEOUT_MS });
    await expect.poll(() => top.textContent(), { timeout: 5_000 }).toMatch(/1 page for you/);
    const ringing = page.getByTestId('ringing-incident');
    expect(await ringing.count()).toBe(1);
    expect(await ringing.getAttribute('data-incident-id')).toBe(incidentId);
    expect(await ringing.textContent()).toMatch(/openai/);
    const pages = (await collectorIncidents(collector)).filter((i) => i.status !== 'resolved' && i.tier === 'page');
    expect(pages.map((i) => i.id)).toEqual([incidentId]);
    expect(pages[0]?.escalation?.target).toBe(onCall.primary);

    // More of the outage may still join (a late error-rate, a latency page): compare with the
    // incident as the collector holds it at each step, not with the first snapshot.
    const members = async (): Promise<string[]> => {
      const held = (await collectorIncidents(collector)).find((i) => i.id === incidentId);
      return [...(held?.alertIds ?? [])].sort();
    };
    expect(await members()).toEqual(expect.arrayContaining(outage.map((a) => a.id)));
    const row = incidentRow(page, incidentId);
    await row.and(page.locator('[data-ringing="true"]')).waitFor({ timeout: 5_000 });
    await expect
      .poll(async () => Number(await row.getAttribute('data-alert-count')) === (await members()).length, {
        timeout: 10_000,
      })
      .toBe(true);
    expect(await page.locator('[data-testid="incident-row"][data-tier="page"][data-status="firing"]').count()).toBe(1);

    // Expanding shows every member in place; the symptoms are marked as inhibited by the cause.
    await expandIncident(page, incidentId);
    const memberRows = page.locator(`[data-testid="member-row"][data-incident-id="${incidentId}"]`);
    const shown = async (): Promise<string[]> =>
      (await memberRows.evaluateAll((els) => els.map((e) => e.getAttribute('data-alert-id') ?? ''))).sort();
    await expect.poll(async () => (await shown()).join() === (await members()).join(), { timeout: 10_000 }).toBe(true);
    const held = (await collectorAlerts(collector)).filter((a) => a.incidentId === incidentId);
    const symptoms = held.filter((a) => a.ruleId === 'error-rate' && a.status !== 'resolved');
    expect(symptoms.length).toBeGreaterThanOrEqual(2);
    for (const a of symptoms) {
      const mark = page.locator(`[data-testid="member-row"][data-alert-id="${a.id}"] [data-testid="member-inhibited"]`);
      expect(await mark.textContent()).toBe('inhibited by provider-down');
    }
    expect(
      await page
        .locator(`[data-testid="member-row"][data-alert-id="${cause.id}"] [data-testid="member-inhibited"]`)
        .count(),
    ).toBe(0);
    await page.screenshot({ path: artifactPath('incidents-outage-expanded.png') });

    // Acknowledging the incident stops the ring and acknowledges every member at the collector.
    await page.getByTestId('ringing-ack').click();
    await top.waitFor({ state: 'hidden', timeout: 10_000 });
    await page.getByTestId('ringing-banner').waitFor({ state: 'detached', timeout: 5_000 });
    await row.and(page.locator('[data-status="acknowledged"][data-ringing="false"]')).waitFor({ timeout: 10_000 });
    const acked = await waitFor(
      'every member acknowledged at the collector',
      async () => {
        const now = await collectorAlerts(collector);
        const mine = now.filter((a) => a.incidentId === incidentId && a.status !== 'resolved');
        return mine.length > 0 && mine.every((a) => a.status === 'acknowledged') ? mine : undefined;
      },
      10_000,
    );
    for (const a of acked) expect(a.acknowledgedBy).toBe(onCall.primary);
    await page.screenshot({ path: artifactPath('incidents-outage-acknowledged.png') });
  });

  it('silences alerts like one of them from its detail, lists the silence, and expires it', async () => {
    const symptom = (await collectorAlerts(collector)).find(
      (a) => a.ruleId === 'error-rate' && a.status !== 'resolved' && a.labels.service !== undefined,
    );
    if (!symptom) throw new Error('no open error-rate alert');
    const detail = await openAlert(page, symptom);
    await detail.getByTestId('silence-like-this').click();
    const dialog = page.getByTestId('silence-dialog');
    await dialog.waitFor();
    // Prefilled: alertname, provider, service; the duration defaults to 2 hours.
    const values = await dialog
      .locator('.matcher-value')
      .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    expect(values).toEqual(['error-rate', 'openai', symptom.labels.service]);
    expect(await dialog.getByTestId('silence-amount').inputValue()).toBe('2');
    await dialog.getByTestId('silence-comment').fill('e2e: fixing the retry storm');
    await dialog.getByTestId('silence-submit').click();
    await dialog.waitFor({ state: 'detached', timeout: 5_000 });

    // The collector holds it (created by this user); the alert it matches is marked silenced.
    const silence = await waitFor(
      'the silence at the collector',
      async () => {
        const res = await fetch(`${collector.url}/v1/silences`, {
          headers: { authorization: `Bearer ${collector.token}` },
        });
        const body = (await res.json()) as { silences: { id: string; createdBy: string; comment: string }[] };
        return body.silences.find((s) => s.comment === 'e2e: fixing the retry storm');
      },
      10_000,
    );
    expect(silence.createdBy).toBe(onCall.primary);
    await waitFor(
      'the alert silenced',
      async () => (await collectorAlerts(collector)).find((a) => a.id === symptom.id && a.silencedBy === silence.id),
      10_000,
    );

    // The Silences view lists it as active, and "Expire now" ends it.
    await page.getByTestId('nav-silences').click();
    const item = page.locator(`[data-testid="silence-item"][data-silence-id="${silence.id}"]`);
    await item.and(page.locator('[data-state="active"]')).waitFor({ timeout: 10_000 });
    expect(await item.getByTestId('silence-when').textContent()).toMatch(/^ends in (1h 5\dm|2h)$/);
    await page.screenshot({ path: artifactPath('incidents-silences.png') });
    await item.getByTestId('expire-silence').click();
    await item.and(page.locator('[data-state="expired"]')).waitFor({ timeout: 10_000 });
    await waitFor(
      'the alert no longer silenced',
      async () => (await collectorAlerts(collector)).find((a) => a.id === symptom.id && a.silencedBy === undefined),
      10_000,
    );
  });
});

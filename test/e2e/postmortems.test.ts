import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostmortemPage, ReviewMarkList } from '../../shared/postmortem/schema.js';
import { artifactPath } from '../fixtures/browser.js';
import { collectorAlerts, openApp, tripErrorRate, waitFor, type App } from '../fixtures/e2e.js';
import { incidentRow } from './inbox.js';

/**
 * Issue 15 in Chromium: a postmortem is drafted from an incident (the collector reconstructs its
 * timeline), an action item is added and listed across postmortems; the weekly review lists the
 * week's ticket, which is marked reviewed with a note, stored on the collector. Real collector,
 * real headless host.
 */
const CONFIG = `
grouping: { wait: 0s }
`;

/** A warning-severity Alertmanager alert: a ticket, for this week's review checklist. */
async function postTicket(app: App): Promise<void> {
  const now = new Date().toISOString();
  const body = {
    version: '4',
    status: 'firing',
    receiver: 'vigil',
    groupKey: '{}:{alertname="DiskFilling"}',
    groupLabels: { alertname: 'DiskFilling' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'DiskFilling', severity: 'warning', instance: 'db-1' },
        annotations: { summary: 'Disk on db-1 fills within 3 days' },
        startsAt: now,
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'e2e-disk-1',
      },
    ],
  };
  const res = await fetch(`${app.collector.url}/v1/integrations/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${app.collector.token}` },
    body: JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

async function getJson(app: App, path: string): Promise<unknown> {
  const res = await fetch(`${app.collector.url}${path}`, {
    headers: { authorization: `Bearer ${app.collector.token}` },
  });
  return res.json();
}

describe('postmortems and the weekly review', () => {
  let app: App;

  beforeAll(async () => {
    app = await openApp({ user: 'alice', collector: { configYaml: CONFIG } });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('drafts a postmortem from an incident, adds an action item and marks a review item', async () => {
    const { page, collector } = app;
    try {
      expect((await tripErrorRate(collector)).status).toBe(200);
      await postTicket(app);
      const pageAlert = await waitFor(
        'the error-rate page',
        async () => (await collectorAlerts(collector)).find((a) => a.ruleId === 'error-rate' && a.incidentId),
        30_000,
      );
      const incidentId = pageAlert.incidentId ?? '';

      // Draft from the incident's detail.
      await incidentRow(page, incidentId).click();
      const detail = page.locator(`[data-testid="incident-detail"][data-incident-id="${incidentId}"]`);
      await detail.getByTestId('postmortem-draft').click();
      const editor = detail.getByTestId('postmortem-editor');
      await editor.waitFor({ timeout: 10_000 });
      await editor.locator('[data-testid="postmortem-timeline"] [data-category="fired"]').first().waitFor();
      // Synced back from the collector (its timeline rebuilt from the log).
      await editor.getByText(/rev \d+/).waitFor({ timeout: 15_000 });

      // An action item with owner and due date.
      await editor.getByTestId('action-item-text').fill('Alert on retry exhaustion');
      await editor.getByTestId('action-item-owner').fill('bob');
      await editor.getByTestId('action-item-due').fill('2099-01-31');
      await editor.getByTestId('action-item-add').click();
      await editor.getByTestId('postmortem-item').filter({ hasText: 'Alert on retry exhaustion' }).waitFor();
      const stored = await waitFor(
        'the action item on the collector',
        async () => {
          const pm = PostmortemPage.parse(await getJson(app, '/v1/postmortems')).postmortems[0];
          return pm?.actionItems.length === 1 && pm.incident.runbookId !== undefined ? pm : undefined;
        },
        15_000,
      );
      expect(stored.incident.id).toBe(incidentId);
      expect(stored.actionItems[0]).toMatchObject({ owner: 'bob', due: '2099-01-31', createdBy: 'alice' });

      // A runbook follow-up: prefilled, owned by the runbook's owner, linking to the incident's runbook.
      await editor.getByTestId('action-item-kind').selectOption('runbook-follow-up');
      await waitFor(
        'the follow-up prefilled',
        async () =>
          (await editor.getByTestId('action-item-text').inputValue()).startsWith('Update runbook ') ? true : undefined,
        5_000,
      );
      await editor.getByTestId('action-item-add').click();
      const link = editor.getByTestId('runbook-link');
      await link.waitFor({ timeout: 10_000 });
      expect(await link.getAttribute('data-runbook-id')).toBe(stored.incident.runbookId);
      if (process.env.PM_SHOT === '1')
        await page.screenshot({ path: artifactPath('postmortem-editor.png'), fullPage: true });
      // Listed across postmortems, with the completion figure.
      await page.getByTestId('nav-action-items').click();
      await page.getByTestId('action-item-row').filter({ hasText: 'Alert on retry exhaustion' }).waitFor();
      await page.getByTestId('action-item-row').filter({ hasText: 'Update runbook' }).waitFor();
      await expect(page.getByTestId('action-items-summary').textContent()).resolves.toContain('0 of 2 done');

      // The weekly review: this week's ticket, marked reviewed with a note.
      await page.getByTestId('nav-review').click();
      const item = page.getByTestId('review-item').filter({ hasText: 'Disk on db-1' });
      await item.waitFor({ timeout: 15_000 });
      await item.getByTestId('review-note').fill('capacity ticket filed');
      // Controlled by the cached state: it flips once the queued mark is read back (a push).
      await item.getByTestId('review-check').click();
      await page
        .locator('[data-testid="review-item"][data-reviewed="true"]')
        .filter({ hasText: 'Disk on db-1' })
        .waitFor({ timeout: 10_000 });
      const marks = await waitFor(
        'the review mark on the collector',
        async () => {
          const list = ReviewMarkList.parse(await getJson(app, '/v1/review/marks')).marks;
          return list.length > 0 ? list : undefined;
        },
        10_000,
      );
      expect(marks[0]).toMatchObject({ reviewed: true, note: 'capacity ticket filed', by: 'alice' });
      if (process.env.PM_SHOT === '1') await page.screenshot({ path: artifactPath('review.png'), fullPage: true });
      // Last week stays one click away.
      await page.getByTestId('review-week-1').click();
      await page.getByText('Nothing to review this week.').waitFor({ timeout: 10_000 });
    } catch (err) {
      await page.screenshot({ path: artifactPath('postmortems-failure.png') });
      throw err;
    }
  });
});

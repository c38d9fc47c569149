import type { Locator, Page } from 'playwright-core';
import type { Alert } from '../../shared/protocol/alert.js';
import { IncidentList, type Incident } from '../../shared/protocol/incident.js';
import type { CollectorHandle } from '../fixtures/collector.js';

/**
 * The incident inbox as e2e tests drive it (issue 12): one row per incident; an alert is a member
 * row under its incident, shown once the incident is expanded in place.
 */

export function incidentRow(page: Page, incidentId: string): Locator {
  return page.locator(`[data-testid="incident-row"][data-incident-id="${incidentId}"]`);
}

export function memberRow(page: Page, alertId: string): Locator {
  return page.locator(`[data-testid="member-row"][data-alert-id="${alertId}"]`);
}

function incidentOf(alert: Pick<Alert, 'id' | 'incidentId'>): string {
  if (alert.incidentId === undefined) throw new Error(`alert ${alert.id} belongs to no incident`);
  return alert.incidentId;
}

/** Expands the incident's members in place (no-op when already expanded). */
export async function expandIncident(page: Page, incidentId: string, timeoutMs = 10_000): Promise<Locator> {
  const row = incidentRow(page, incidentId);
  await row.waitFor({ timeout: timeoutMs });
  if ((await row.getAttribute('aria-expanded')) !== 'true') await row.getByTestId('expand-toggle').click();
  await page
    .locator(`[data-testid="member-row"][data-incident-id="${incidentId}"]`)
    .first()
    .waitFor({ timeout: timeoutMs });
  return row;
}

/** The alert's member row, its incident expanded first. */
export async function showAlert(page: Page, alert: Pick<Alert, 'id' | 'incidentId'>): Promise<Locator> {
  await expandIncident(page, incidentOf(alert));
  const row = memberRow(page, alert.id);
  await row.waitFor({ timeout: 10_000 });
  return row;
}

/** Opens the alert's detail from its member row. */
export async function openAlert(page: Page, alert: Pick<Alert, 'id' | 'incidentId'>): Promise<Locator> {
  await (await showAlert(page, alert)).click();
  const detail = page.locator(`[data-testid="alert-detail"][data-alert-id="${alert.id}"]`);
  await detail.waitFor({ timeout: 10_000 });
  return detail;
}

/** GET /v1/incidents (newest first), validated against the wire schema. */
export async function collectorIncidents(c: Pick<CollectorHandle, 'url' | 'token'>): Promise<Incident[]> {
  const res = await fetch(`${c.url}/v1/incidents`, { headers: { authorization: `Bearer ${c.token}` } });
  if (res.status !== 200) throw new Error(`GET /v1/incidents: ${res.status}`);
  return IncidentList.parse(await res.json()).incidents;
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startHeadlessHost, type BridgedApi, type HeadlessHost } from '../electron/main/headless.js';
import { systemClock, toIso } from '../shared/clock.js';
import type { AlarmState, Alert, ApiReply, Incident, IncidentDetail, SyncStatus } from '../shared/protocol/index.js';
import { launchChromium } from '../test/fixtures/browser.js';
import { fmt, percentile, printTable } from './stats.js';

/**
 * Inbox render (issue 12: "10,000 incidents render first in < 300 ms, virtualised, measured in
 * Chromium"). The real built renderer (out/renderer, built first if missing) is served by the
 * real headless host code (`startHeadlessHost`) with a fake Api behind its bridge that answers
 * `incidents.list` with N synthetic incidents and `incidents.get` with one incident of M alerts:
 * seeding 10,000 incidents through a real collector would measure the collector, not the page.
 *
 * Measured inside the page with the renderer's User Timing marks (lib/timing.ts):
 *  - render → paint: the validated `incidents.list` reply in hand (`vigil:incidents-received`)
 *    → sorted, filtered, windowed, rendered, committed → the next animation frame
 *    (`vigil:inbox-painted`). The renderer's own work: the figure held against the 300 ms budget.
 *  - render → DOM: the same up to React's commit (`vigil:inbox-committed`): the JavaScript part.
 *    Between the commit and the frame the page's main thread is idle (CPU profiles show it): that
 *    gap is headless Chromium's compositor producing the frame, and it grows with machine load.
 *  - list → paint: from the request instead, so it adds the transport: the host serialising
 *    ~2.5 MB, the WebSocket frame, JSON.parse and the zod check of every incident against the
 *    method table (jitless: the page's CSP forbids eval, so zod cannot compile its checks).
 *  - load → paint: navigation start → painted (bundle, bridge, the whole first view).
 *  - expand: click on the big incident's chevron → its M members' rows painted.
 * Each run is a fresh page (cold React tree); the median of the runs is reported.
 */
export const INBOX_BUDGET_MS = 300;
const ROOT = resolve(import.meta.dirname, '..');
const RENDERER = join(ROOT, 'out/renderer');
const USER = 'alice';

const SERVICES = ['chat', 'search', 'summarise', 'triage', 'checkout', 'support', 'billing', 'docs'];
const PROVIDERS = ['openai', 'anthropic', 'google'];
const STATUSES: Incident['status'][] = ['firing', 'acknowledged', 'snoozed', 'resolved', 'resolved'];
const TIERS: Incident['tier'][] = ['page', 'ticket', 'ticket', 'review'];

/** N incidents over the last 30 days, deterministic; the first is the big firing page. */
export function syntheticIncidents(n: number, bigMembers: number, nowMs: number): Incident[] {
  const out: Incident[] = [];
  for (let i = 0; i < n; i++) {
    const service = SERVICES[i % SERVICES.length] as string;
    const provider = PROVIDERS[i % PROVIDERS.length] as string;
    const big = i === 0;
    const status = big ? 'firing' : (STATUSES[i % STATUSES.length] as Incident['status']);
    const tier = big ? 'page' : (TIERS[i % TIERS.length] as Incident['tier']);
    const firedAt = toIso(nowMs - (big ? 60_000 : 120_000 + i * 250_000));
    const members = big ? bigMembers : 1 + (i % 5);
    out.push({
      id: `inc-${i}`,
      key: `{service="${service}"}`,
      tier,
      status,
      title: big ? `${provider} down` : `${service} · ${provider} errors #${i}`,
      alertIds: Array.from({ length: members }, (_, m) => `al-${i}-${m}`),
      firedAt,
      ...(status === 'acknowledged' ? { acknowledgedBy: 'bob', acknowledgedAt: firedAt } : {}),
      ...(status === 'snoozed' ? { snoozedUntil: toIso(nowMs + 3_600_000) } : {}),
      ...(status === 'resolved' ? { resolvedAt: toIso(nowMs - i * 1000) } : {}),
      ...(tier === 'page' && status === 'firing'
        ? { escalation: { level: 1, target: USER, dueAt: toIso(nowMs + 600_000), nextTarget: 'bob' } }
        : {}),
      ...(big ? { inhibitedAlertIds: Array.from({ length: bigMembers - 1 }, (_, m) => `al-0-${m + 1}`) } : {}),
    });
  }
  return out;
}

function bigDetail(incident: Incident, nowMs: number): IncidentDetail {
  const alerts: Alert[] = incident.alertIds.map((id, m) => ({
    id,
    ruleId: m === 0 ? 'provider-down' : m % 2 ? 'error-rate' : 'latency-p95',
    tier: m === 0 ? 'page' : 'ticket',
    status: 'firing',
    source: 'rules',
    summary: m === 0 ? 'openai is down' : `${SERVICES[m % SERVICES.length] ?? 'chat'} errors on openai (${m})`,
    labels: { service: SERVICES[m % SERVICES.length] ?? 'chat', provider: 'openai', model: 'gpt-4o' },
    firedAt: toIso(nowMs - 60_000 + m),
    incidentId: incident.id,
    ...(m > 0 ? { inhibitedBy: incident.alertIds[0] } : {}),
  }));
  const timeline = alerts.map((a, n) => ({ seq: n + 1, at: a.firedAt, kind: 'fired' as const, alertId: a.id }));
  return { incident, alerts, timeline };
}

/** The Api behind the bridge: enough of the table for the inbox to draw; everything else is unavailable. */
function fakeApi(incidents: Incident[], nowMs: number): BridgedApi {
  const status: SyncStatus = {
    state: 'connected',
    user: USER,
    collectorUrl: 'http://127.0.0.1:1',
    lastSeq: 1,
    since: toIso(nowMs),
    serverOffsetMs: 0,
    pendingCommands: 0,
  };
  const big = incidents[0];
  const alarm: AlarmState = {
    user: USER,
    ringing: big
      ? [
          {
            incidentId: big.id,
            summary: `${big.title} · ${big.alertIds.length} alerts`,
            alertCount: big.alertIds.length,
            level: 1,
            target: USER,
          },
        ]
      : [],
    watching: [],
  };
  const detail = big ? bigDetail(big, nowMs) : null;
  const results: Record<string, unknown> = {
    'incidents.list': incidents,
    'status.get': status,
    'outbox.list': [],
    'alarm.get': alarm,
    'silences.list': [],
  };
  return {
    handle(call: unknown): Promise<ApiReply> {
      const method = typeof call === 'object' && call !== null && 'method' in call ? String(call.method) : '';
      if (method === 'incidents.get') return Promise.resolve({ ok: true, result: detail });
      if (Object.hasOwn(results, method)) return Promise.resolve({ ok: true, result: results[method] });
      return Promise.resolve({ ok: false, error: { code: 'unavailable', message: `${method}: not in the bench` } });
    },
    onPush: () => () => {},
  };
}

function ensureRendererBuilt(): void {
  if (existsSync(join(RENDERER, 'index.html'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error('electron-vite build failed');
}

interface RunFigures {
  listToPaint: number;
  renderToPaint: number;
  renderToDom: number;
  loadToPaint: number;
  expand: number;
  mountedRows: number;
}

async function oneRun(page: Page, host: HeadlessHost, bigId: string, members: number): Promise<RunFigures> {
  await page.goto(host.url);
  await page.waitForFunction(() => performance.getEntriesByName('vigil:inbox-painted').length > 0, null, {
    timeout: 60_000,
  });
  const marks = await page.evaluate(() => {
    const at = (name: string): number => performance.getEntriesByName(name)[0]?.startTime ?? Number.NaN;
    return {
      requested: at('vigil:incidents-requested'),
      received: at('vigil:incidents-received'),
      painted: at('vigil:inbox-painted'),
      committed: at('vigil:inbox-committed'),
      mounted: document.querySelectorAll('[data-testid="incident-row"]').length,
    };
  });
  const expand = await page.evaluate(
    async ({ id, want }) => {
      const toggle = document.querySelector<HTMLButtonElement>(
        `[data-incident-id="${id}"] [data-testid="expand-toggle"]`,
      );
      if (!toggle) throw new Error('the big incident is not on screen');
      const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
      const t0 = performance.now();
      toggle.click();
      // Members arrive by `incidents.get` over the bridge, then render; wait for the first rows' paint.
      for (let i = 0; i < 600 && document.querySelectorAll('[data-testid="member-row"]').length === 0; i++)
        await frame();
      await frame();
      const rows = document.querySelectorAll('[data-testid="member-row"]').length;
      const spacer = document.querySelector('.vlist-spacer')?.getBoundingClientRect().height ?? 0;
      return { ms: performance.now() - t0, rows, spacer, want };
    },
    { id: bigId, want: members },
  );
  if (expand.rows === 0) throw new Error('expanding the big incident showed no members');
  return {
    listToPaint: marks.painted - marks.requested,
    renderToPaint: marks.painted - marks.received,
    renderToDom: marks.committed - marks.received,
    loadToPaint: marks.painted,
    expand: expand.ms,
    mountedRows: marks.mounted,
  };
}

export async function benchInbox(opts: { incidents: number; members: number; runs: number }): Promise<void> {
  ensureRendererBuilt();
  const now = systemClock.now();
  const incidents = syntheticIncidents(opts.incidents, opts.members, now);
  const host = await startHeadlessHost({ api: fakeApi(incidents, now), rendererDir: RENDERER });
  const browser = await launchChromium();
  try {
    const runs: RunFigures[] = [];
    // One warm-up load (disk cache, V8 code cache), then the measured runs, each in a fresh page.
    for (let r = 0; r <= opts.runs; r++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      // tsx (esbuild keepNames) wraps named functions in `__name(…)`; evaluated code needs it in the page.
      await page.addInitScript({ content: 'globalThis.__name = (f) => f;' });
      try {
        const f = await oneRun(page, host, incidents[0]?.id ?? '', opts.members);
        if (r > 0) runs.push(f);
      } finally {
        await page.close();
      }
    }
    const med = (k: keyof RunFigures) =>
      percentile(
        runs.map((f) => f[k]),
        50,
      );
    const max = (k: keyof RunFigures) => Math.max(...runs.map((f) => f[k]));
    const verdict = med('renderToPaint') < INBOX_BUDGET_MS ? 'within' : 'OVER';
    const load = loadavg()[0] ?? 0;
    printTable(
      `Inbox first render in Chromium: ${opts.incidents} incidents, one expanded with ${opts.members} alerts ` +
        `(median of ${runs.length} runs; render → paint vs budget ${INBOX_BUDGET_MS} ms: ${verdict}; load average ${fmt(load, 1)})`,
      [
        {
          figure: 'render → paint (reply in hand → painted)',
          'median ms': fmt(med('renderToPaint'), 0),
          'max ms': fmt(max('renderToPaint'), 0),
        },
        {
          figure: 'render → DOM (reply in hand → React commit)',
          'median ms': fmt(med('renderToDom'), 0),
          'max ms': fmt(max('renderToDom'), 0),
        },
        {
          figure: 'list → paint (+ bridge transfer, JSON.parse, zod check)',
          'median ms': fmt(med('listToPaint'), 0),
          'max ms': fmt(max('listToPaint'), 0),
        },
        {
          figure: 'page load → paint (navigation start → painted)',
          'median ms': fmt(med('loadToPaint'), 0),
          'max ms': fmt(max('loadToPaint'), 0),
        },
        {
          figure: `expand (${opts.members} members: click → painted)`,
          'median ms': fmt(med('expand'), 0),
          'max ms': fmt(max('expand'), 0),
        },
        { figure: 'incident rows mounted (windowed)', 'median ms': fmt(med('mountedRows'), 0), 'max ms': '' },
      ],
    );
  } finally {
    await browser.close();
    await host.close();
  }
}

if (process.argv[1]?.endsWith('bench/inbox.ts'))
  await benchInbox({ incidents: 10_000, members: 500, runs: process.argv.includes('--quick') ? 3 : 7 });

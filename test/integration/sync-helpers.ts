import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { createAppServices, type AppServices, type AppServicesOptions } from '../../electron/main/services/index.js';
import { silentLogger } from '../../electron/main/services/runtime.js';
import type { Clock } from '../../shared/clock.js';
import { AlertList, type Alert } from '../../shared/protocol/alert.js';
import type { CollectorHandle } from '../fixtures/collector.js';

/** Helpers shared by the sync-* integration tests and bench/sync.ts. */

export async function until<T>(probe: () => T | undefined | null | false, ms = 15_000, what = 'condition'): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function untilAsync<T>(
  probe: () => Promise<T | undefined | null | false>,
  ms = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (performance.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function authHeaders(c: Pick<CollectorHandle, 'token'>): Record<string, string> {
  return { authorization: `Bearer ${c.token}` };
}

export async function collectorAlerts(c: Pick<CollectorHandle, 'url' | 'token'>): Promise<Alert[]> {
  const res = await fetch(`${c.url}/v1/alerts`, { headers: authHeaders(c) });
  if (res.status !== 200) throw new Error(`GET /v1/alerts answered ${res.status}`);
  return AlertList.parse(await res.json()).alerts;
}

export async function collectorStats(
  c: Pick<CollectorHandle, 'url' | 'token'>,
): Promise<{ events: number; alerts: number; lastSeq: number }> {
  const res = await fetch(`${c.url}/v1/stats`, { headers: authHeaders(c) });
  return (await res.json()) as { events: number; alerts: number; lastSeq: number };
}

/** Reads one gauge/counter from GET /metrics. */
export async function metric(c: Pick<CollectorHandle, 'url' | 'token'>, name: string): Promise<number> {
  const res = await fetch(`${c.url}/metrics`, { headers: authHeaders(c) });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

/** Desktops (in-process AppServices on real SQLite files) created by a test, disposed together. */
export class Desktops {
  private readonly apps: AppServices[] = [];
  private readonly dirs: string[] = [];

  open(
    collector: Pick<CollectorHandle, 'url' | 'token'>,
    user: string,
    extra: Partial<Omit<AppServicesOptions, 'collectorUrl' | 'collectorToken' | 'user'>> = {},
  ): AppServices {
    let dataDir = extra.dataDir;
    if (dataDir === undefined) {
      dataDir = mkdtempSync(join(tmpdir(), `vigil-desktop-${user}-`));
      this.dirs.push(dataDir);
    }
    const app = createAppServices({
      log: silentLogger,
      // Short backoff so a restarted collector is found quickly.
      sync: { backoff: { baseMs: 100, capMs: 500 } },
      ...extra,
      collectorUrl: collector.url,
      collectorToken: collector.token,
      user,
      dataDir,
    });
    this.apps.push(app);
    app.start();
    return app;
  }

  disposeAll(): void {
    for (const a of this.apps.splice(0)) a.dispose();
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/**
 * Writes `count` alert-log entries straight into a (stopped) collector's data dir through the
 * collector's own store and AlertService: `alerts` alerts fired, then comments on them. How tests
 * and the bench get a long log without minutes of ingest. `at(i)` gives entry i's time.
 */
export function seedAlertLog(
  dataDir: string,
  count: number,
  opts: { alerts?: number; at?: (i: number) => number; now: number },
): void {
  const store = openStore(join(dataDir, 'collector.db'), opts.now);
  try {
    const alerts = new AlertService(store, { now: () => opts.now }, 'seed');
    const nAlerts = Math.min(count, opts.alerts ?? 100);
    const at = opts.at ?? (() => opts.now);
    const ids: string[] = [];
    // The service logs an alert's entries when its transaction settles (after the incident
    // pipeline ran), so the fired entries are one transaction and the comments come after them.
    alerts.transact(() => {
      for (let i = 0; i < nAlerts; i++) {
        const a = alerts.fire({
          ruleId: 'error-rate',
          tier: 'page',
          source: 'rules',
          summary: `seeded alert ${i}`,
          labels: { service: `svc-${i}`, provider: 'openai', model: 'gpt-4o' },
          firedAt: at(i),
        });
        ids.push(a.id);
      }
    });
    alerts.transact(() => {
      for (let i = nAlerts; i < count; i++) {
        const id = ids[i % ids.length] ?? '';
        const alert = store.getAlert(id);
        if (!alert) throw new Error(`seeded alert ${id} missing`);
        store.putAlert(alert);
        store.appendLog({ at: at(i), alertId: id, kind: 'commented', actor: 'seed', note: `note ${i}`, alert });
      }
    });
  } finally {
    store.close();
  }
}

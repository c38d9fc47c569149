import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiPush } from '../../shared/protocol/api.js';
import { RotationConfig, whoIsOnCall } from '../../shared/rotation/index.js';
import { silentLogger } from '../../electron/main/services/index.js';
import type { Notifier } from '../../electron/main/services/notifier/index.js';
import { AppSession, teamCacheDir } from '../../electron/main/services/settings/app-session.js';
import { FileSecretStore } from '../../electron/main/services/settings/secret-store.js';
import { SettingsStore } from '../../electron/main/services/settings/settings-store.js';
import { errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/**
 * Issue 16: settings changes rebind the desktop's services without a restart. Two REAL collectors
 * (A pages this week's primary; B has its own incident), one in-process AppSession over a real
 * data dir: switching the user makes the ring follow (rings for the primary, not for the
 * secondary, rings again when switched back); switching the collector reconnects to B with its
 * own cache (B's incident only), and back to A rings A's page again.
 */
const ROSTER = ['dana', 'erin'];
const CONFIG = `
grouping:
  wait: 1s
rotation:
  roster: [${ROSTER.join(', ')}]
`;
const WAIT_MS = 40_000;

let a: CollectorHandle;
let b: CollectorHandle;
let session: AppSession;
let dir: string;
const pushes: ApiPush[] = [];
const notified: string[] = [];
const notifier: Notifier = {
  notify: async (n) => {
    notified.push(n.id);
    return { ok: true };
  },
  onAcknowledge: () => () => {},
};
const onCall = whoIsOnCall(RotationConfig.parse({ roster: ROSTER }), Date.now());

async function until<T>(what: string, probe: () => T | undefined | false, ms = WAIT_MS): Promise<T> {
  const end = performance.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A's traffic is checkout on openai, B's search on anthropic: an incident's key names one or the other. */
const TRAFFIC = { checkout: 'openai', search: 'anthropic' } as const;
type Service = keyof typeof TRAFFIC;

function burst(c: CollectorHandle, service: Service): Promise<{ status: number }> {
  const startMs = Date.now() - 20 * 60_000;
  const provider = TRAFFIC[service];
  return postEvents(c.url, c.token, [
    ...errorBurst({ service, provider, model: 'm-1', startMs, minutes: 15, perMinute: 100, errorRate: 0.3 }),
  ]);
}

/** An incident of this service's collector: grouped by service (error rate) or provider (provider down). */
const isOf = (key: string | undefined, service: Service): boolean =>
  key !== undefined && (key.includes(`"${service}"`) || key.includes(`"${TRAFFIC[service]}"`));

const alarm = () => session.services.alarm.state();
const status = () => session.services.sync.status();
const ringingFor = (service: Service): boolean =>
  alarm().ringing.some((p) => isOf(session.services.cache.incident(p.incidentId)?.key, service));
const cachedFor = (service: Service): boolean =>
  session.services.cache.listIncidents().some((i) => isOf(i.key, service));

beforeAll(async () => {
  [a, b] = await Promise.all([startCollector({ configYaml: CONFIG }), startCollector({ configYaml: CONFIG })]);
  expect((await burst(a, 'checkout')).status).toBeLessThan(300);
  expect((await burst(b, 'search')).status).toBeLessThan(300);
  dir = mkdtempSync(join(tmpdir(), 'vigil-settings-'));
  session = new AppSession({
    dataDir: dir,
    defaultUser: 'nobody',
    store: new SettingsStore(dir),
    secrets: new FileSecretStore(dir),
    overrides: {
      user: { value: onCall.primary, by: '--user' },
      collector: { value: { url: a.url, token: a.token }, by: '--collector' },
    },
    services: { alarm: { notifier } },
    log: silentLogger,
  });
  session.onPush((p) => pushes.push(p));
  await session.start();
}, 60_000);

afterAll(async () => {
  session?.dispose();
  await Promise.all([a?.stop(), b?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('settings rebind the services', () => {
  it('rings for the primary; switching the user to the secondary stops it; switching back rings again', async () => {
    await until('the page to ring for the primary', () => alarm().ringing.length > 0);
    expect(alarm().user).toBe(onCall.primary);
    const incidentId = alarm().ringing[0]?.incidentId;

    const view = await session.update({ user: onCall.secondary });
    expect(view.user).toBe(onCall.secondary);
    expect(view.overriddenBy.user).toBeUndefined();
    expect(alarm().user).toBe(onCall.secondary);
    // Same cache (same collector): the incident is there at once, watched, not rung.
    await until('the incident to be watched by the secondary', () =>
      alarm().watching.some((p) => p.incidentId === incidentId),
    );
    expect(alarm().ringing).toEqual([]);
    // The renderer was told to re-read everything.
    expect(pushes.some((p) => p.type === 'settings-changed' && p.settings.user === onCall.secondary)).toBe(true);
    expect(pushes.some((p) => p.type === 'alarm-changed' && p.alarm.user === onCall.secondary)).toBe(true);

    await session.update({ user: onCall.primary });
    await until('the page to ring again', () => alarm().ringing.some((p) => p.incidentId === incidentId));
    // Stored 0600, the user in it.
    const file = join(dir, 'settings.json');
    expect((statSync(file).mode & 0o777).toString(8)).toBe('600');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ user: onCall.primary });
  });

  it('refuses a team collector without its token, naming the field, and changes nothing', async () => {
    const before = status().collectorUrl;
    const reply = await session.handle({
      method: 'settings.update',
      params: { collector: { mode: 'team', url: b.url } },
    });
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid_field' } });
    expect(!reply.ok && reply.error.message).toMatch(/^collector\.token: /);
    const bad = await session.handle({ method: 'settings.update', params: { ringIntervalSec: 1 } });
    expect(!bad.ok && bad.error.message).toMatch(/^params\.ringIntervalSec: /);
    expect(status().collectorUrl).toBe(before);
  });

  it('switches to a second collector (its own cache) and back (rings again), and to the second again (token kept)', async () => {
    const view = await session.update({ collector: { mode: 'team', url: b.url, token: b.token } });
    expect(view.collectorUrl).toBe(b.url);
    expect(view.teamTokenStored).toBe(true);
    await until('connected to B', () => status().state === 'connected' && status().collectorUrl === b.url);
    await until("B's incident in the cache", () => cachedFor('search')).catch((err: unknown) => {
      console.log('DEBUG', JSON.stringify(session.services.cache.listIncidents().map((i) => [i.key])), status());
      throw err;
    });
    expect(cachedFor('checkout')).toBe(false);
    expect(existsSync(join(teamCacheDir(dir, b.url), 'cache.db'))).toBe(true);
    // The token went to the secrets file (0600), never to settings.json.
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain(b.token);
    expect((statSync(join(dir, 'secrets.json')).mode & 0o777).toString(8)).toBe('600');
    // B's page rings for the primary too (same roster).
    await until("B's page to ring", () => ringingFor('search'));

    // A was this run's --collector: choosing it in Settings needs no token again.
    await session.update({ collector: { mode: 'team', url: a.url } });
    await until('connected to A', () => status().state === 'connected' && status().collectorUrl === a.url);
    await until("A's page to ring again", () => ringingFor('checkout'));
    expect(ringingFor('search')).toBe(false);

    // And back to B: its token is remembered (no token in the change).
    await session.update({ collector: { mode: 'team', url: b.url } });
    await until('connected to B again', () => status().state === 'connected' && status().collectorUrl === b.url);
  });
});

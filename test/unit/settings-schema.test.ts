import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { API_METHODS } from '../../shared/protocol/api.js';
import {
  DEFAULT_RING_INTERVAL_S,
  RING_INTERVAL_MAX_S,
  RING_INTERVAL_MIN_S,
  Settings,
  SettingsPatch,
} from '../../shared/protocol/settings.js';
import { lazyDemo, NO_DEMO_REASON, type DemoRun } from '../../electron/main/demo.js';
import { scenarioMenu, startedScenarios } from '../../electron/main/demo-menu.js';
import { choosePort, loadHostAddress, saveHostAddress } from '../../electron/main/host-address.js';
import { electronLoginItem, headlessLoginItem } from '../../electron/main/services/settings/login-item.js';
import {
  collectorTokenKey,
  EncryptedSecretStore,
  FileSecretStore,
} from '../../electron/main/services/settings/secret-store.js';
import { parseSettings, SettingsError, SettingsStore } from '../../electron/main/services/settings/settings-store.js';
import { headlessSessionOptions } from '../fixtures/desktop-session.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'vigil-settings-unit-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const mode = (f: string): string => (statSync(f).mode & 0o777).toString(8);

/** The field a refused value names. */
function refusedField(raw: unknown): string {
  try {
    parseSettings(raw);
  } catch (err) {
    if (err instanceof SettingsError) return err.field;
    throw err;
  }
  throw new Error('accepted');
}

describe('the settings schema (issue 16)', () => {
  it('has defaults for everything: bundled collector, 30 s ring, sound on', () => {
    expect(Settings.parse({})).toEqual({
      collector: { mode: 'bundled' },
      ringIntervalSec: DEFAULT_RING_INTERVAL_S,
      sound: { enabled: true, volume: 0.8 },
      launchAtLogin: false,
    });
    expect(
      Settings.parse({ user: 'dana', collector: { mode: 'team', url: 'https://vigil.example.com/' } }),
    ).toMatchObject({ user: 'dana', collector: { mode: 'team', url: 'https://vigil.example.com' } });
  });

  it('refuses bad settings naming the field', () => {
    expect(refusedField({ user: '' })).toBe('user');
    expect(refusedField({ user: 'dana\u202e' })).toBe('user');
    expect(refusedField({ user: 'x'.repeat(201) })).toBe('user');
    expect(refusedField({ collector: { mode: 'cloud' } })).toBe('collector.mode');
    expect(refusedField({ collector: { mode: 'team', url: 'ftp://x' } })).toBe('collector.url');
    expect(refusedField({ collector: { mode: 'team', url: 'not a url' } })).toBe('collector.url');
    expect(refusedField({ collector: { mode: 'team', url: 'https://me:secret@x.example' } })).toBe('collector.url');
    expect(refusedField({ collector: { mode: 'team', url: `https://x.example/${'a'.repeat(2_000)}` } })).toBe(
      'collector.url',
    );
    // A token never lives in settings.json (strict objects).
    expect(refusedField({ collector: { mode: 'team', url: 'https://x.example', token: 'a'.repeat(20) } })).toBe(
      'collector',
    );
    expect(refusedField({ ringIntervalSec: RING_INTERVAL_MIN_S - 1 })).toBe('ringIntervalSec');
    expect(refusedField({ ringIntervalSec: RING_INTERVAL_MAX_S + 1 })).toBe('ringIntervalSec');
    expect(refusedField({ ringIntervalSec: 30.5 })).toBe('ringIntervalSec');
    expect(refusedField({ sound: { enabled: true, volume: 1.5 } })).toBe('sound.volume');
    expect(refusedField({ sound: { enabled: 'yes', volume: 0.5 } })).toBe('sound.enabled');
    expect(refusedField({ launchAtLogin: 1 })).toBe('launchAtLogin');
    expect(refusedField({ theme: 'dark' })).toBe('(root)');
  });

  it('patches: a team collector may bring its token (bounded), nothing else unknown', () => {
    expect(
      SettingsPatch.safeParse({ collector: { mode: 'team', url: 'http://127.0.0.1:4318', token: 'short' } }).success,
    ).toBe(false);
    expect(
      SettingsPatch.parse({ collector: { mode: 'team', url: 'http://127.0.0.1:4318', token: ` ${'t'.repeat(20)} ` } }),
    ).toEqual({ collector: { mode: 'team', url: 'http://127.0.0.1:4318', token: 't'.repeat(20) } });
    expect(SettingsPatch.safeParse({ sound: { volume: 0.2 } }).success).toBe(true);
    expect(SettingsPatch.safeParse({ sound: { loud: true } }).success).toBe(false);
    expect(SettingsPatch.safeParse({ collector: { mode: 'bundled', url: 'http://x' } }).success).toBe(false);
    // The Api table validates with it.
    expect(API_METHODS['settings.update'].params).toBe(SettingsPatch);
    expect(API_METHODS['demo.setScenario'].params.safeParse({ name: 'rm -rf', on: true }).success).toBe(false);
  });
});

describe('the settings and secrets files', () => {
  it('settings.json is written 0600 and read back; a corrupt or foreign file gives the defaults', () => {
    const dir = tmp();
    const store = new SettingsStore(dir);
    expect(store.load()).toEqual(Settings.parse({}));
    store.save(Settings.parse({ user: 'dana', ringIntervalSec: 60 }));
    expect(mode(store.path)).toBe('600');
    expect(store.load()).toMatchObject({ user: 'dana', ringIntervalSec: 60 });
    writeFileSync(store.path, '{"user": 42}');
    const warnings: string[] = [];
    const warned = new SettingsStore(dir, { info: () => {}, warn: (m) => warnings.push(m), error: () => {} });
    expect(warned.load()).toEqual(Settings.parse({}));
    expect(warnings[0]).toContain('user:');
    writeFileSync(store.path, 'not json');
    expect(store.load()).toEqual(Settings.parse({}));
    expect(() => store.save({ ...Settings.parse({}), ringIntervalSec: 1 })).toThrow(/ringIntervalSec/);
  });

  it('secrets: a 0600 file for the headless host; encrypted with a safeStorage-like cipher for Electron', () => {
    const dir = tmp();
    const key = collectorTokenKey('https://vigil.example.com');
    const plain = new FileSecretStore(dir);
    expect(plain.get(key)).toBeUndefined();
    plain.set(key, 'team-token-0123456789');
    expect(plain.get(key)).toBe('team-token-0123456789');
    expect(mode(join(dir, 'secrets.json'))).toBe('600');
    plain.delete(key);
    expect(plain.get(key)).toBeUndefined();

    const cipher = {
      isEncryptionAvailable: () => true,
      encryptString: (s: string) => Buffer.from([...s].reverse().join(''), 'utf8'),
      decryptString: (b: Buffer) => [...b.toString('utf8')].reverse().join(''),
    };
    const enc = new EncryptedSecretStore(dir, cipher);
    enc.set(key, 'team-token-0123456789');
    expect(enc.get(key)).toBe('team-token-0123456789');
    expect(readFileSync(join(dir, 'secrets.enc.json'), 'utf8')).not.toContain('team-token');
    expect(mode(join(dir, 'secrets.enc.json'))).toBe('600');
    const none = new EncryptedSecretStore(dir, { ...cipher, isEncryptionAvailable: () => false });
    expect(() => none.set(key, 'x'.repeat(20))).toThrow(/no encryption/);
  });

  it('host.json keeps the port and token (0600); --port wins; a bad file is ignored', () => {
    const dir = tmp();
    expect(loadHostAddress(dir)).toBeUndefined();
    expect(choosePort(undefined, undefined)).toBe(0);
    saveHostAddress(dir, { port: 41234, token: 'a'.repeat(43) });
    expect(mode(join(dir, 'host.json'))).toBe('600');
    const last = loadHostAddress(dir);
    expect(last).toEqual({ port: 41234, token: 'a'.repeat(43) });
    expect(choosePort(undefined, last)).toBe(41234);
    expect(choosePort(5000, last)).toBe(5000);
    writeFileSync(join(dir, 'host.json'), '{"port": 99999, "token": "x"}');
    expect(loadHostAddress(dir)).toBeUndefined();
  });
});

describe('launch at login and the demo menu', () => {
  it('is unavailable in the headless host with a reason; Electron sets it (not on Linux)', () => {
    expect(headlessLoginItem.capability()).toMatchObject({ available: false });
    expect(headlessLoginItem.capability().reason).toMatch(/desktop app/);
    const calls: boolean[] = [];
    const mac = electronLoginItem({ setLoginItemSettings: (s) => calls.push(s.openAtLogin) }, 'darwin');
    expect(mac.capability()).toEqual({ available: true });
    mac.set(true);
    expect(calls).toEqual([true]);
    expect(electronLoginItem({ setLoginItemSettings: () => {} }, 'linux').capability().available).toBe(false);
  });

  it('knows which scenarios the simulator started with; no demo = unavailable with the reason', () => {
    expect([
      ...startedScenarios(['--backfill', '1d', '--scenario', 'provider-outage', '--scenario', 'cost-bug:service=chat']),
    ]).toEqual(['provider-outage', 'cost-bug']);
    expect([...startedScenarios(['--scenario', 'nope'])]).toEqual([]);
    // Not started (a team collector): the menu says why, switching is refused.
    const none = lazyDemo({ start: () => Promise.reject(new Error('not here')), now: () => 0, timeZone: 'UTC' });
    expect(none.source.state()).toEqual({ available: false, reason: NO_DEMO_REASON, scenarios: [] });
    expect(() => none.source.set({ name: 'cost-bug', on: true })).toThrow(NO_DEMO_REASON);
  });

  it('starts the demo through the injected starter once, with the rotation for the user, and shows its menu', async () => {
    const sent: string[] = [];
    const menu = scenarioMenu({
      simulatorArgs: ['--scenario', 'provider-outage'],
      running: () => true,
      send: (l) => sent.push(l),
    });
    const configs: string[] = [];
    let stops = 0;
    const run: DemoRun = {
      url: 'http://127.0.0.1:1',
      token: 't'.repeat(20),
      state: menu.state,
      set: menu.set,
      stop: async () => void stops++,
    };
    const demo = lazyDemo({
      start: async (configYaml) => (configs.push(configYaml), run),
      now: () => 0,
      timeZone: 'UTC',
    });
    const [a, b] = await Promise.all([demo.start('dana'), demo.start('dana')]);
    expect(a).toEqual({ url: run.url, token: run.token });
    expect(b).toEqual(a);
    expect(configs).toHaveLength(1);
    expect(configs[0]).toContain('dana');
    const on = (s: ReturnType<typeof demo.source.state>): string[] =>
      s.scenarios.filter((x) => x.active).map((x) => x.name);
    expect(on(demo.source.state())).toEqual(['provider-outage']);
    expect(on(demo.source.set({ name: 'cost-bug', on: true })).sort()).toEqual(['cost-bug', 'provider-outage']);
    expect(sent).toEqual(['on cost-bug']);
    await demo.stop();
    expect(stops).toBe(1);
  });

  it('a restarted simulator is switched back to what the menu shows; a stopped one is unavailable', () => {
    const sent: string[] = [];
    let running = true;
    const menu = scenarioMenu({
      simulatorArgs: ['--scenario', 'provider-outage'],
      running: () => running,
      send: (l) => sent.push(l),
    });
    menu.scenario('provider-outage', false);
    menu.scenario('cost-bug', true);
    sent.length = 0;
    // Restarted: it came back with provider-outage on and cost-bug off.
    menu.replay();
    expect(sent.sort()).toEqual(['off provider-outage', 'on cost-bug']);
    running = false;
    expect(menu.state()).toMatchObject({ available: false, scenarios: [] });
  });
});

describe("the settings view's choices", () => {
  it('offers the roster, the escalation contact and the current user, once each', async () => {
    const { rosterChoices, ringIntervalText } = await import('../../renderer/src/lib/settings.js');
    const rotation = {
      syncedAt: '2026-01-01T00:00:00Z',
      view: {
        rotation: { roster: ['root', 'alex', 'sam'], escalationContact: 'kim' },
        overrides: [],
        shifts: [],
        generatedAt: '2026-01-01T00:00:00Z',
      },
    } as unknown as Parameters<typeof rosterChoices>[0];
    expect(rosterChoices(rotation, 'alex')).toEqual(['root', 'alex', 'sam', 'kim']);
    expect(rosterChoices(rotation, 'zoe')).toEqual(['root', 'alex', 'sam', 'kim', 'zoe']);
    expect(rosterChoices(null, 'zoe')).toEqual(['zoe']);
    expect(ringIntervalText(30)).toBe('30 s');
    expect(ringIntervalText(300)).toBe('5 min');
  });
});

describe('AppSession refuses what it cannot apply, naming the field, and stores nothing', () => {
  it('a team collector without a token, launch at login in the headless host, bundled without a bundled collector', async () => {
    const { AppSession } = await import('../../electron/main/services/settings/app-session.js');
    const { ApiRefusal } = await import('../../shared/api/handlers.js');
    const dir = tmp();
    const store = new SettingsStore(dir);
    const session = new AppSession({
      dataDir: dir,
      defaultUser: 'dana',
      store,
      secrets: new FileSecretStore(dir),
    });
    const refused = async (patch: Parameters<typeof session.update>[0]): Promise<string> => {
      try {
        await session.update(patch);
      } catch (err) {
        if (err instanceof ApiRefusal) return `${err.failure.code} ${err.failure.message}`;
        throw err;
      }
      throw new Error('accepted');
    };
    expect(await refused({ collector: { mode: 'team', url: 'https://vigil.example.com' } })).toBe(
      'invalid_field collector.token: the collector at https://vigil.example.com needs its token',
    );
    expect(await refused({ launchAtLogin: true })).toMatch(/^invalid_field launchAtLogin: Only the desktop app/);
    expect(await refused({ collector: { mode: 'bundled' } })).toBe(
      'invalid_field collector.mode: this build has no bundled collector',
    );
    expect(() => readFileSync(store.path)).toThrow(/ENOENT/);
    expect(session.get()).toMatchObject({ user: 'dana', teamTokenStored: false, overriddenBy: {} });
    session.dispose();
  });
});

describe("the desktop app's session (what electron/main/index.ts calls)", () => {
  it('takes VIGIL_USER / VIGIL_COLLECTOR_URL as overrides and the token out of the environment', async () => {
    const { createDesktopSession } = await import('../../electron/main/desktop-session.js');
    const dir = tmp();
    const base = headlessSessionOptions(dir);
    const env: NodeJS.ProcessEnv = {
      VIGIL_USER: 'dana',
      VIGIL_COLLECTOR_URL: 'http://127.0.0.1:9',
      VIGIL_COLLECTOR_TOKEN: 't'.repeat(20),
    };
    const { session } = createDesktopSession({ ...base, env });
    expect(env.VIGIL_COLLECTOR_TOKEN).toBeUndefined();
    expect(session.get()).toMatchObject({
      user: 'dana',
      launchAtLogin: { available: true },
      overriddenBy: { user: 'VIGIL_USER', collector: 'VIGIL_COLLECTOR_URL' },
    });
    session.dispose();
    expect(() => createDesktopSession({ ...base, env: { VIGIL_COLLECTOR_URL: 'http://127.0.0.1:9' } })).toThrow(
      /VIGIL_COLLECTOR_TOKEN/,
    );
  });
});

describe('--demo wins over a stored team collector until Collector is changed in Settings', () => {
  it('binds the bundled collector, says so, and a collector change drops the override', async () => {
    const { AppSession } = await import('../../electron/main/services/settings/app-session.js');
    const dir = tmp();
    const store = new SettingsStore(dir);
    store.save(Settings.parse({ collector: { mode: 'team', url: 'http://127.0.0.1:9' } }));
    const secrets = new FileSecretStore(dir);
    secrets.set(collectorTokenKey('http://127.0.0.1:9'), 't'.repeat(20));
    const started: string[] = [];
    const session = new AppSession({
      dataDir: dir,
      defaultUser: 'dana',
      store,
      secrets,
      bundled: async (user) => {
        started.push(user);
        return { url: 'http://127.0.0.1:10', token: 'b'.repeat(20) };
      },
      overrides: { bundled: { value: true, by: '--demo' } },
      services: { alarm: { notifier: { notify: async () => ({ ok: true }), onAcknowledge: () => () => {} } } },
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    try {
      await session.start();
      expect(started).toEqual(['dana']);
      expect(session.get()).toMatchObject({
        collectorUrl: 'http://127.0.0.1:10',
        teamTokenStored: true,
        overriddenBy: { collector: '--demo' },
      });
      const view = await session.update({ collector: { mode: 'team', url: 'http://127.0.0.1:9' } });
      expect(view).toMatchObject({ collectorUrl: 'http://127.0.0.1:9', overriddenBy: {} });
    } finally {
      session.dispose();
    }
  });
});

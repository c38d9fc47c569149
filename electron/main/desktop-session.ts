import { join } from 'node:path';
import { systemClock, type Clock } from '../../shared/clock.js';
import { parseCollectorUrl } from '../../shared/protocol/settings.js';
import { COLLECTOR_TOKEN_ENV, takeEnvToken } from '../node/tokens.js';
import { lazyDemo, type DemoRun, type LazyDemo } from './demo.js';
import type { Logger } from './services/index.js';
import type { Notifier } from './services/notifier/index.js';
import { SHIFT_NOTICE_ENV, shiftNoticeLeadFromEnv } from './services/rotation/index.js';
import { AppSession, type AppSessionOptions } from './services/settings/app-session.js';
import { electronLoginItem, type LoginItemHost } from './services/settings/login-item.js';
import { EncryptedSecretStore, type StringCipher } from './services/settings/secret-store.js';
import { SettingsStore } from './services/settings/settings-store.js';

/** Who the desktop app is for this run when set (wins over the setting until changed in Settings). */
export const USER_ENV = 'VIGIL_USER';
/** A team collector for this run (its token in VIGIL_COLLECTOR_TOKEN). */
export const COLLECTOR_URL_ENV = 'VIGIL_COLLECTOR_URL';

export interface DesktopSessionOptions {
  /** `app.getPath('userData')`: settings.json, secrets.enc.json, cache.db, collector/. */
  dataDir: string;
  /** `os.userInfo().username`. */
  defaultUser: string;
  /** `process.env`: VIGIL_USER, VIGIL_COLLECTOR_URL and the token (taken out of it). */
  env: NodeJS.ProcessEnv;
  /** Electron's `safeStorage` (call after `app.whenReady()`). */
  cipher: StringCipher;
  /** Electron's `app` (setLoginItemSettings). */
  loginItemHost: LoginItemHost;
  /**
   * Starts the bundled collector and simulator with this config (the demo rotation) in
   * `collectorDir` (`<dataDir>/collector`): startBundledCollector with utility processes.
   */
  startDemo: (run: { configYaml: string; collectorDir: string }) => Promise<DemoRun>;
  /**
   * The notifier every set of services rings through (main's, paused from the tray); it stays
   * main's to dispose. Absent: each set of services creates and disposes its own.
   */
  notifier?: Notifier;
  log: Logger;
  clock?: Clock;
  platform?: NodeJS.Platform;
}

/**
 * The desktop app's services as Settings say (issue 16), for electron/main/index.ts: one call,
 * no Electron import here (Electron's `safeStorage` and `app` are passed in). The token is
 * taken out of the environment (nothing the app starts inherits it); a VIGIL_COLLECTOR_URL
 * without its token throws, as before.
 */
export function createDesktopSession(opts: DesktopSessionOptions): { session: AppSession; demo: LazyDemo } {
  const clock = opts.clock ?? systemClock;
  const token = takeEnvToken(opts.env, COLLECTOR_TOKEN_ENV);
  const rawUrl = opts.env[COLLECTOR_URL_ENV];
  const url = rawUrl ? parseCollectorUrl(rawUrl, COLLECTOR_URL_ENV) : undefined;
  if (url && !token)
    throw new Error(`${COLLECTOR_URL_ENV} is set: the team collector's token goes in ${COLLECTOR_TOKEN_ENV}`);
  const user = opts.env[USER_ENV];
  const overrides: AppSessionOptions['overrides'] = {
    ...(user ? { user: { value: user, by: USER_ENV } } : {}),
    ...(url && token ? { collector: { value: { url, token }, by: COLLECTOR_URL_ENV } } : {}),
  };
  const collectorDir = join(opts.dataDir, 'collector');
  const demo = lazyDemo({
    start: (configYaml) => opts.startDemo({ configYaml, collectorDir }),
    now: () => clock.now(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  const leadMs = shiftNoticeLeadFromEnv(opts.env[SHIFT_NOTICE_ENV]);
  const session = new AppSession({
    dataDir: opts.dataDir,
    defaultUser: opts.defaultUser,
    store: new SettingsStore(opts.dataDir, opts.log),
    secrets: new EncryptedSecretStore(opts.dataDir, opts.cipher, opts.log),
    loginItem: electronLoginItem(opts.loginItemHost, opts.platform),
    bundled: (u) => demo.start(u),
    demo: demo.source,
    overrides,
    services: {
      clock,
      ...(opts.notifier ? { alarm: { notifier: opts.notifier } } : {}),
      ...(leadMs !== undefined ? { shiftNotice: { leadMs } } : {}),
    },
    log: opts.log,
  });
  return { session, demo };
}

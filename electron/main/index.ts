import { join } from 'node:path';
import { userInfo } from 'node:os';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  protocol,
  screen,
  session,
  shell,
  Tray,
  utilityProcess,
} from 'electron';
import { IPC_CALL, IPC_PUSH, type ApiReply } from '../../shared/protocol/api.js';
import { createAppServices, stderrLogger, systemTimers, type AppServices } from './services/index.js';
import { createNotifier, type Notifier } from './services/notifier/index.js';
import { SHIFT_NOTICE_ENV, shiftNoticeLeadFromEnv } from './services/rotation/index.js';
import { whoIsOnCall } from '../../shared/rotation/rotation.js';
import { demoConfigYaml } from './demo-rotation.js';
import { MINUTE_MS, systemClock } from '../../shared/clock.js';
import { COLLECTOR_TOKEN_ENV, takeEnvToken } from '../node/tokens.js';
import { APP_ENTRY_URL, registerAppScheme, serveApp } from './app-protocol.js';
import {
  CONTENT_SECURITY_POLICY,
  devServerOrigin,
  hardenSession,
  hardenWindow,
  isTrustedSender,
  senderInfo,
  trustedOrigins,
  type ExternalLinkPort,
} from './security.js';
import { builtEntries, startBundledCollector, type BundledCollector } from './bundled-collector.js';
import { utilitySpawner } from './utility-spawner.js';
import { mainWindowOptions, WindowController } from './window.js';
import {
  clampToDisplays,
  loadWindowState,
  saveWindowState,
  WINDOW_STATE_SAVE_DELAY_MS,
  windowStateOf,
} from './window-state.js';
import { TrayController } from './tray.js';
import { TrayPresenter } from './tray-presenter.js';
import { closeKeepsInTray, type TrayAction } from './tray-state.js';
import { NotificationPause, pausableNotifier } from './notification-pause.js';
import { claimSingleInstance, startsHidden } from './single-instance.js';

/**
 * Electron glue only: every decision lives in a plain module next to this one (window options,
 * window state, tray state, security policy, the app:// scheme, the supervisor), unit-tested
 * without Electron. This file wires them to Electron's objects in order.
 */

// Before `ready`: the scheme the app's pages come from (app-protocol.ts).
registerAppScheme(protocol);
// The alarm must be able to ring before the user has clicked anything.
app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');

/** The dev server is trusted only by an unpackaged build started with ELECTRON_RENDERER_URL. */
const DEV_ORIGIN = devServerOrigin(app.isPackaged, process.env);
const ORIGINS = trustedOrigins(DEV_ORIGIN);
const user = process.env.VIGIL_USER || userInfo().username;

let services: AppServices | null = null;
let bundled: BundledCollector | null = null;
let trayController: TrayController | null = null;
let presenter: TrayPresenter | null = null;
/** Ours to dispose: createAppServices disposes only a notifier it created itself. */
let notifier: Notifier | null = null;
const pause = new NotificationPause(systemClock);

const links: ExternalLinkPort = {
  async confirm(message) {
    const opts = {
      type: 'question' as const,
      buttons: ['Open', 'Cancel'],
      defaultId: 1,
      cancelId: 1,
      message,
      noLink: true,
    };
    const win = windows.current();
    const r = win ? await dialog.showMessageBox(win, opts) : await dialog.showMessageBox(opts);
    return r.response === 0;
  },
  openExternal: (url) => shell.openExternal(url),
};

function createWindow(): BrowserWindow {
  const userData = app.getPath('userData');
  const bounds = clampToDisplays(
    loadWindowState(userData),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow(mainWindowOptions({ preload: join(__dirname, '../preload/index.cjs'), bounds }));
  hardenWindow(win, links);
  // maximize() would also show the window: wait until it is shown (a start at login stays hidden).
  if (bounds.maximized) win.once('show', () => win.maximize());
  // Remembered shortly after each move or resize (a crash or a power cut keeps the last one),
  // and on close (hide-to-tray included).
  const save = (): void => {
    if (win.isDestroyed()) return;
    try {
      saveWindowState(userData, windowStateOf(win));
    } catch (err) {
      stderrLogger.warn(`window state not saved: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  let saveTimer: unknown = null;
  const saveSoon = (): void => {
    if (saveTimer !== null) systemTimers.clearTimeout(saveTimer);
    saveTimer = systemTimers.setTimeout(save, WINDOW_STATE_SAVE_DELAY_MS);
  };
  win.on('resize', saveSoon);
  win.on('move', saveSoon);
  win.on('close', () => {
    if (saveTimer !== null) systemTimers.clearTimeout(saveTimer);
    save();
  });
  win.on('focus', () => win.flashFrame(false));
  void win.loadURL(DEV_ORIGIN ? (process.env.ELECTRON_RENDERER_URL as string) : APP_ENTRY_URL);
  return win;
}

const windows = new WindowController<BrowserWindow>({
  create: createWindow,
  keepInTray: () => {
    if (!trayController) return false;
    const rot = services?.rotationCache.get()?.view.rotation ?? null;
    return closeKeepsInTray({
      user,
      onCall: rot ? whoIsOnCall(rot, systemClock.now()) : null,
      alarm: services?.alarm.state() ?? null,
    });
  },
});

async function connect(): Promise<AppServices> {
  const dataDir = app.getPath('userData');
  let collectorUrl = process.env.VIGIL_COLLECTOR_URL;
  // Read once and removed: nothing this process starts should inherit it.
  let collectorToken = takeEnvToken(process.env, COLLECTOR_TOKEN_ENV) ?? '';
  if (collectorUrl && !collectorToken) {
    throw new Error(`VIGIL_COLLECTOR_URL is set: the team collector's token goes in ${COLLECTOR_TOKEN_ENV}`);
  }
  if (!collectorUrl) {
    // Demo mode: the bundled collector and the simulator as utility processes (no RunAsNode),
    // each supervised: a crash restarts it with backoff on the same port.
    bundled = await startBundledCollector({
      spawner: utilitySpawner(utilityProcess),
      entries: builtEntries(__dirname, true),
      dataDir: join(dataDir, 'collector'),
      configYaml: demoConfigYaml(user, systemClock.now(), Intl.DateTimeFormat().resolvedOptions().timeZone),
      stdinFollowsParent: false,
      clock: systemClock,
      log: stderrLogger,
    });
    collectorUrl = bundled.url;
    collectorToken = bundled.token;
  }
  const leadMs = shiftNoticeLeadFromEnv(process.env[SHIFT_NOTICE_ENV]);
  const s = createAppServices({
    collectorUrl,
    collectorToken,
    user,
    dataDir,
    log: stderrLogger,
    alarm: { notifier: pausableNotifier((notifier = createNotifier(stderrLogger)), pause) },
    ...(leadMs !== undefined ? { shiftNotice: { leadMs } } : {}),
  });
  s.start();
  return s;
}

function registerIpc(s: AppServices): void {
  ipcMain.handle(IPC_CALL, async (event, call: unknown): Promise<ApiReply> => {
    if (!isTrustedSender(senderInfo(event.sender, event.senderFrame, windows.current()), ORIGINS)) {
      return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    }
    return s.api.handle(call);
  });
  s.api.onPush((push) => {
    const win = windows.current();
    if (win) win.webContents.send(IPC_PUSH, push);
    if (push.type === 'incidents-changed' || push.type === 'status-changed') countOpenPages(s);
  });
}

/** Paging incidents open now (one per outage, as the inbox counts them). */
function countOpenPages(s: AppServices): void {
  const open = s.cache.listIncidents('firing').filter((i) => i.tier === 'page').length;
  presenter?.setOpenPages(open);
  app.setBadgeCount(open);
}

function runTrayAction(s: AppServices, action: TrayAction): void {
  switch (action.kind) {
    case 'open':
      windows.show();
      return;
    case 'ack':
      void s.api.handle({ method: 'incidents.command', params: { kind: 'ack', incidentId: action.incidentId } });
      return;
    case 'pause':
      pause.pause(action.minutes * MINUTE_MS);
      return;
    case 'resume':
      pause.resume();
      return;
    case 'quit':
      app.quit();
      return;
  }
}

function startTray(s: AppServices): void {
  trayController = new TrayController(
    {
      createTray: (image) => new Tray(image),
      buildMenu: (template) => Menu.buildFromTemplate(template),
      loadImage: (path) => nativeImage.createFromPath(path),
      appPath: app.getAppPath(),
      platform: process.platform,
    },
    (action) => runTrayAction(s, action),
  );
  const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
  presenter = new TrayPresenter({
    paint: (view) => trayController?.render(view),
    clock: systemClock,
    serverOffsetMs: () => s.cache.syncState().serverOffsetMs,
    pausedUntil: () => pause.pausedUntil(),
    formatTime: (ms) => timeFmt.format(ms),
  });
  pause.onChanged(() => presenter?.refresh());
  s.alarm.onChanged((state) => {
    presenter?.setAlarm(state);
    // The window flashes while a page rings for this user.
    windows.current()?.flashFrame(state.ringing.length > 0);
  });
  presenter.setAlarm(s.alarm.state());
  countOpenPages(s);
}

if (claimSingleInstance(app, () => windows.show())) {
  void app.whenReady().then(async () => {
    Menu.setApplicationMenu(null);
    hardenSession(session.defaultSession, DEV_ORIGIN);
    serveApp(protocol, join(__dirname, '../renderer'), CONTENT_SECURITY_POLICY);
    try {
      services = await connect();
    } catch (err) {
      // A missing or too-short team token (or a collector that would not start): say why, do not run half-connected.
      stderrLogger.error(`vigil: cannot start: ${err instanceof Error ? err.message : String(err)}`);
      await bundled?.stop();
      app.exit(2);
      return;
    }
    registerIpc(services);
    startTray(services);
    // Started at login: the app waits in the tray; otherwise the window comes up.
    if (startsHidden(process.argv, app.getLoginItemSettings().wasOpenedAtLogin)) windows.ensure();
    else windows.show();
  });
}

app.on('activate', () => {
  // macOS: clicking the dock icon brings the window back (recreated if it was closed).
  if (services) windows.show();
});

app.on('window-all-closed', () => {
  // Reached only when a close was not kept in the tray (not on call) or while quitting.
  if (process.platform !== 'darwin') app.quit();
});

/** Quit really quits: windows close for good, the services end, the collector stops cleanly. */
let shutdownDone = false;
app.on('before-quit', (event) => {
  windows.markQuitting();
  if (shutdownDone) return;
  event.preventDefault();
  presenter?.dispose();
  trayController?.destroy();
  services?.dispose();
  notifier?.dispose?.();
  const stopped = bundled ? bundled.stop() : Promise.resolve();
  void stopped.finally(() => {
    shutdownDone = true;
    app.quit();
  });
});

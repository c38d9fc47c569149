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
  safeStorage,
  screen,
  session as electronSession,
  shell,
  Tray,
  utilityProcess,
} from 'electron';
import { IPC_CALL, IPC_PUSH, type ApiReply } from '../../shared/protocol/api.js';
import type { AlarmState } from '../../shared/protocol/alarm.js';
import { stderrLogger, systemTimers, type AppServices } from './services/index.js';
import { createNotifier, type Notifier } from './services/notifier/index.js';
import type { AppSession } from './services/settings/app-session.js';
import { whoIsOnCall } from '../../shared/rotation/rotation.js';
import { MINUTE_MS, systemClock } from '../../shared/clock.js';
import { createDesktopSession } from './desktop-session.js';
import type { LazyDemo } from './demo.js';
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
import { builtEntries, startBundledCollector } from './bundled-collector.js';
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

/**
 * Settings, the services they bind (rebound on a change: never hold on to an AppServices, read
 * `appSession.services` each time) and the lazily started demo. Null until ready.
 */
let appSession: AppSession | null = null;
let demo: LazyDemo | null = null;
let trayController: TrayController | null = null;
let presenter: TrayPresenter | null = null;
/** Ours to dispose (created once ready): createAppServices disposes only a notifier it created itself. */
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
    if (!trayController || !appSession) return false;
    // Read now: a rebind (Settings) may have replaced the services and the user since.
    const s = appSession.services;
    const rot = s.rotationCache.get()?.view.rotation ?? null;
    return closeKeepsInTray({
      user: appSession.get().user,
      onCall: rot ? whoIsOnCall(rot, systemClock.now()) : null,
      alarm: s.alarm.state(),
    });
  },
});

/**
 * The session over Settings (who I am, which collector, ring, login item). The bundled collector
 * and the simulator run as utility processes (no RunAsNode), each supervised: a crash restarts
 * it with backoff on the same port. The token of a team collector is taken out of the environment.
 */
function openSession(notifier: Notifier): { session: AppSession; demo: LazyDemo } {
  return createDesktopSession({
    dataDir: app.getPath('userData'),
    defaultUser: userInfo().username,
    env: process.env,
    cipher: safeStorage,
    loginItemHost: app,
    notifier: pausableNotifier(notifier, pause),
    startDemo: ({ configYaml, collectorDir }) =>
      startBundledCollector({
        spawner: utilitySpawner(utilityProcess),
        entries: builtEntries(__dirname, true),
        dataDir: collectorDir,
        configYaml,
        // Runbooks ship beside the app (extraResources), outside app.asar: said, never searched for.
        runbooksDir: app.isPackaged ? join(process.resourcesPath, 'runbooks') : join(app.getAppPath(), 'runbooks'),
        stdinFollowsParent: false,
        onMoved: (url) => void appSession?.bundledMoved(url),
        clock: systemClock,
        log: stderrLogger,
      }),
    log: stderrLogger,
  });
}

/** Wired once: the session's Api stays the same object across rebinds. */
function registerIpc(s: AppSession): void {
  ipcMain.handle(IPC_CALL, async (event, call: unknown): Promise<ApiReply> => {
    if (!isTrustedSender(senderInfo(event.sender, event.senderFrame, windows.current()), ORIGINS)) {
      return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    }
    return s.handle(call);
  });
  s.onPush((push) => {
    const win = windows.current();
    if (win) win.webContents.send(IPC_PUSH, push);
    if (push.type === 'incidents-changed' || push.type === 'status-changed') countOpenPages(s.services);
  });
}

/** Paging incidents open now (one per outage, as the inbox counts them). */
function countOpenPages(s: AppServices): void {
  const open = s.cache.listIncidents('firing').filter((i) => i.tier === 'page').length;
  presenter?.setOpenPages(open);
  app.setBadgeCount(open);
}

function runTrayAction(s: AppSession, action: TrayAction): void {
  switch (action.kind) {
    case 'open':
      windows.show();
      return;
    case 'ack':
      void s.handle({ method: 'incidents.command', params: { kind: 'ack', incidentId: action.incidentId } });
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

function showAlarm(state: AlarmState): void {
  presenter?.setAlarm(state);
  // The window flashes while a page rings for this user.
  windows.current()?.flashFrame(state.ringing.length > 0);
}

function startTray(s: AppSession): void {
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
    serverOffsetMs: () => s.services.cache.syncState().serverOffsetMs,
    pausedUntil: () => pause.pausedUntil(),
    formatTime: (ms) => timeFmt.format(ms),
  });
  pause.onChanged(() => presenter?.refresh());
  // Follows the services: a rebind disposes the old ones, so the subscription moves to the new.
  let offAlarm = (): void => {};
  const follow = (services: AppServices): void => {
    offAlarm();
    offAlarm = services.alarm.onChanged(showAlarm);
    showAlarm(services.alarm.state());
    countOpenPages(services);
  };
  s.onServices(follow);
  follow(s.services);
}

/** Set by before-quit: a startup still in flight must not go on to wire IPC, tray and window. */
let quitting = false;

// A second launch focuses the window, but only once the app is up (IPC and tray wired), like
// activate: before that there is nothing the window could talk to.
if (claimSingleInstance(app, () => (trayController ? windows.show() : undefined))) {
  void app.whenReady().then(async () => {
    Menu.setApplicationMenu(null);
    hardenSession(electronSession.defaultSession, DEV_ORIGIN);
    serveApp(protocol, join(__dirname, '../renderer'), CONTENT_SECURITY_POLICY);
    try {
      // safeStorage (the team token's store) is usable only from here on.
      notifier = createNotifier(stderrLogger);
      ({ session: appSession, demo } = openSession(notifier));
      await appSession.start();
    } catch (err) {
      // Quit while starting: before-quit already disposed the session and stops the collector.
      if (quitting) return;
      // A missing or too-short team token (or a collector that would not start): say why, do not run half-connected.
      stderrLogger.error(`vigil: cannot start: ${err instanceof Error ? err.message : String(err)}`);
      appSession?.dispose();
      await demo?.stop();
      notifier?.dispose?.();
      app.exit(2);
      return;
    }
    if (quitting) return;
    registerIpc(appSession);
    startTray(appSession);
    // Started at login: the app waits in the tray; otherwise the window comes up.
    if (startsHidden(process.argv, app.getLoginItemSettings().wasOpenedAtLogin)) windows.ensure();
    else windows.show();
  });
}

app.on('activate', () => {
  // macOS: clicking the dock icon brings the window back (recreated if it was closed).
  if (trayController) windows.show();
});

app.on('window-all-closed', () => {
  // Reached only when a close was not kept in the tray (not on call) or while quitting.
  if (process.platform !== 'darwin') app.quit();
});

/** Quit really quits: windows close for good, the services end, the collector stops cleanly. */
let shutdownDone = false;
app.on('before-quit', (event) => {
  quitting = true;
  windows.markQuitting();
  if (shutdownDone) return;
  event.preventDefault();
  presenter?.dispose();
  trayController?.destroy();
  appSession?.dispose();
  notifier?.dispose?.();
  const stopped = demo ? demo.stop() : Promise.resolve();
  void stopped.finally(() => {
    shutdownDone = true;
    app.quit();
  });
});

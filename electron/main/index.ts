import { join } from 'node:path';
import { userInfo } from 'node:os';
import { app, BrowserWindow, ipcMain, Menu, nativeImage, Tray } from 'electron';
import { IPC_CALL, IPC_PUSH, type ApiReply } from '../../shared/protocol/api.js';
import { createAppServices, stderrLogger, type AppServices } from './services/index.js';
import { SHIFT_NOTICE_ENV, shiftNoticeLeadFromEnv } from './services/rotation/index.js';
import { demoConfigYaml } from './demo-rotation.js';
import { formatRemaining } from './services/alarm/index.js';
import type { AlarmState } from '../../shared/protocol/alarm.js';
import { systemClock } from '../../shared/clock.js';
import { bundledDemoCommands, startDemo, type Demo } from './demo.js';
import { hardenSession, hardenWindow, isTrustedSender } from './security.js';
import { COLLECTOR_TOKEN_ENV, takeEnvToken } from '../node/tokens.js';

/**
 * Electron glue only: a window, a tray, IPC registration and the bundled collector.
 * Everything with logic lives in ./services (plain Node, tested without Electron).
 */

// The alarm must be able to ring before the user has clicked anything.
app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');

let services: AppServices | null = null;
let demo: Demo | null = null;
let tray: Tray | null = null;

async function connect(): Promise<AppServices> {
  const user = process.env.VIGIL_USER || userInfo().username;
  const dataDir = app.getPath('userData');
  let collectorUrl = process.env.VIGIL_COLLECTOR_URL;
  // Read once and removed: nothing this process starts (the demo's children, notify-send) should inherit it.
  // Too short is an error (electron/node/tokens.ts), as is a team collector without one.
  let collectorToken = takeEnvToken(process.env, COLLECTOR_TOKEN_ENV) ?? '';
  if (collectorUrl && !collectorToken) {
    throw new Error(`VIGIL_COLLECTOR_URL is set: the team collector's token goes in ${COLLECTOR_TOKEN_ENV}`);
  }
  if (!collectorUrl) {
    // Demo mode: the bundled collector with simulated traffic, as separate Node processes.
    demo = await startDemo({
      commands: bundledDemoCommands(__dirname, process.execPath, true),
      dataDir: join(dataDir, 'collector'),
      configYaml: demoConfigYaml(user, systemClock.now(), Intl.DateTimeFormat().resolvedOptions().timeZone),
      log: stderrLogger,
    });
    collectorUrl = demo.url;
    collectorToken = demo.token;
  }
  const leadMs = shiftNoticeLeadFromEnv(process.env[SHIFT_NOTICE_ENV]);
  const s = createAppServices({
    collectorUrl,
    collectorToken,
    user,
    dataDir,
    log: stderrLogger,
    ...(leadMs !== undefined ? { shiftNotice: { leadMs } } : {}),
  });
  s.start();
  return s;
}

function registerIpc(s: AppServices, win: BrowserWindow): void {
  ipcMain.handle(IPC_CALL, async (event, call: unknown): Promise<ApiReply> => {
    if (!isTrustedSender(event.senderFrame?.url)) {
      return { ok: false, error: { code: 'forbidden', message: 'untrusted sender' } };
    }
    return s.api.handle(call);
  });
  s.api.onPush((push) => {
    if (!win.isDestroyed()) win.webContents.send(IPC_PUSH, push);
    if (push.type === 'incidents-changed' || push.type === 'status-changed') void updateTray(s);
  });
}

/** Counts paging incidents (one per outage, not one per alert), as the inbox shows them. */
async function updateTray(s: AppServices): Promise<void> {
  if (!tray) return;
  const reply = await s.api.handle({ method: 'incidents.list', params: { status: 'firing' } });
  if (!reply.ok || !Array.isArray(reply.result)) return;
  const open = (reply.result as { tier: string }[]).filter((i) => i.tier === 'page').length;
  tray.setToolTip(open > 0 ? `Vigil: ${open} unacknowledged incident${open === 1 ? '' : 's'}` : 'Vigil: all quiet');
  app.setBadgeCount(open);
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    title: 'Vigil',
    backgroundColor: '#111418',
    webPreferences: {
      preload: join(__dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  hardenWindow(win);
  if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL);
  else void win.loadFile(join(__dirname, '../renderer/index.html'));
  return win;
}

/**
 * The Alarm's face in the OS: the window flashes while an incident rings for this user, and the
 * tray shows the countdown to the next escalation among its incidents, once a second. All decisions live in the Alarm.
 */
function wireAlarm(s: AppServices, win: BrowserWindow): void {
  let ticker: NodeJS.Timeout | null = null;
  const show = (state: AlarmState): void => {
    const ringing = state.ringing.length > 0;
    if (!win.isDestroyed()) win.flashFrame(ringing);
    if (ticker) clearInterval(ticker);
    ticker = null;
    if (!ringing) return void updateTray(s);
    const paint = (): void => {
      const due = state.nextDueAt
        ? Date.parse(state.nextDueAt) - (systemClock.now() + s.cache.syncState().serverOffsetMs)
        : undefined;
      const n = state.ringing.length;
      const text = `${n} incident${n === 1 ? '' : 's'} paging you${due !== undefined ? ` · escalates in ${formatRemaining(due)}` : ''}`;
      tray?.setToolTip(`Vigil: ${text}`);
      if (process.platform === 'darwin') tray?.setTitle(due !== undefined ? formatRemaining(due) : '!');
    };
    paint();
    ticker = setInterval(paint, 1000);
  };
  s.alarm.onChanged(show);
  win.on('focus', () => win.flashFrame(false));
}

app.whenReady().then(async () => {
  Menu.setApplicationMenu(null);
  const { session } = await import('electron');
  hardenSession(session.defaultSession);
  try {
    services = await connect();
  } catch (err) {
    // A missing or too-short team token (or a demo that would not start): say why, do not run half-connected.
    stderrLogger.error(`vigil: cannot start: ${err instanceof Error ? err.message : String(err)}`);
    app.exit(2);
    return;
  }
  const win = createWindow();
  registerIpc(services, win);
  tray = new Tray(nativeImage.createEmpty());
  tray.on('click', () => win.show());
  wireAlarm(services, win);
  await updateTray(services);
});

app.on('window-all-closed', () => {
  // An on-call tool keeps running in the tray; quitting is explicit.
  if (process.platform !== 'darwin' && !tray) app.quit();
});

app.on('before-quit', () => {
  services?.dispose();
  void demo?.stop();
});

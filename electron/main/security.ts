import type { BrowserWindow, Session, WebContents, WebFrameMain } from 'electron';
import { IPC_CALL } from '../../shared/api/channels.js';
import { APP_ORIGIN, APP_SCHEME } from './app-protocol.js';

/**
 * The renderer's security policy, as plain functions (unit-tested without Electron), and the
 * Electron glue that applies it. Nothing here imports `electron` at runtime: the glue receives
 * the objects it configures, and the dialogs it shows through `ExternalLinkPort`.
 */

/**
 * The CSP sent as a response header with every page of the `vigil://` scheme (app-protocol.ts).
 * `default-src 'none'` and an allow-list per kind: the page talks to main over IPC only (no
 * network: connect-src 'self'), runs only its own bundled scripts, and styles only from its own
 * stylesheet (React's `style` prop sets CSSOM properties, which style-src does not govern).
 * Whatever the page's own meta tag says, the header holds too: both policies must pass.
 */
export const CSP_DIRECTIVES: readonly (readonly [string, string])[] = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['connect-src', "'self'"],
  ['media-src', "'self'"],
  ['object-src', "'none'"],
  ['frame-src', "'none'"],
  ['worker-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];
export const CONTENT_SECURITY_POLICY = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');

/** Only http(s) links leave the app, and only to the system browser, after the user saw the host. */
export function externalLinkHost(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  // Credentials in a link ("https://bank.com@evil.example") are a phishing trick: refuse them.
  if (parsed.username || parsed.password || !parsed.hostname) return null;
  return parsed.host;
}

export function isExternalLink(url: string): boolean {
  return externalLinkHost(url) !== null;
}

/** What the confirmation dialog says before a link opens in the browser. */
export function openExternalPrompt(host: string): string {
  return `Open ${host} in your browser?`;
}

/**
 * The dev-server URL (electron-vite's HMR server) is trusted only by a dev build: not packaged
 * AND the variable set. A packaged app ignores ELECTRON_RENDERER_URL, so setting it cannot make
 * the app load (and give IPC to) a page from somewhere else.
 */
export function devServerOrigin(isPackaged: boolean, env: NodeJS.ProcessEnv): string | null {
  if (isPackaged) return null;
  const url = env.ELECTRON_RENDERER_URL;
  if (!url) return null;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' || (u.hostname !== 'localhost' && u.hostname !== '127.0.0.1')) return null;
    return originOf(url);
  } catch {
    return null;
  }
}

/**
 * `scheme://host[:port]`. WHATWG `URL.origin` is "null" for non-special schemes such as
 * `vigil:`, so the origin is built from protocol and host.
 */
export function originOf(url: string): string | null {
  try {
    const u = new URL(url);
    if (!u.host) return null;
    return `${u.protocol}//${u.host}`;
  } catch {
    return null;
  }
}

/** The origins whose main frame may call the Api: ours, and the dev server in a dev build. */
export function trustedOrigins(devOrigin: string | null): readonly string[] {
  return devOrigin ? [APP_ORIGIN, devOrigin] : [APP_ORIGIN];
}

/** What main knows about the frame that sent an IPC message. */
export interface SenderInfo {
  /** The frame's URL (absent when the frame is gone). */
  frameUrl: string | undefined;
  /** The frame is the top frame of its page (not an iframe). */
  isMainFrame: boolean;
  /** The page is our window's (not some other webContents). */
  fromOurWindow: boolean;
}

/**
 * IPC is answered only for the main frame of our own window showing our own origin. A sub-frame
 * is refused even with our origin (a frame could host content it does not control), as is a frame
 * whose URL merely starts like ours (`vigil://app.evil`, `file://`).
 */
export function isTrustedSender(sender: SenderInfo, origins: readonly string[]): boolean {
  if (!sender.fromOurWindow || !sender.isMainFrame || !sender.frameUrl) return false;
  const origin = originOf(sender.frameUrl);
  return origin !== null && origins.includes(origin);
}

/** The IPC channels main answers (`ipcMain.handle`); anything else is never registered. */
export const IPC_HANDLED_CHANNELS: readonly string[] = [IPC_CALL];

/** A channel main answers: only those in the allow-list. */
export function isHandledChannel(channel: string): boolean {
  return IPC_HANDLED_CHANNELS.includes(channel);
}

/**
 * Requests the page may make: our scheme, devtools, inline data; in a dev build also the dev
 * server and its HMR socket (`ws://` on the same host and port).
 */
export function isAllowedRequest(url: string, devOrigin: string | null): boolean {
  if (url.startsWith('devtools://') || url.startsWith('data:')) return true;
  const origin = originOf(url);
  if (origin === null) return false;
  if (origin === APP_ORIGIN) return true;
  if (devOrigin === null) return false;
  return origin === devOrigin || origin === devOrigin.replace(/^http:/, 'ws:');
}

/** Navigation is refused whatever the target; a link the user clicked may open in the browser. */
export function navigationDecision(url: string): { allow: false; openExternally: boolean } {
  return { allow: false, openExternally: isExternalLink(url) };
}

/** Every permission (camera, notifications, clipboard, …) is refused: the page needs none. */
export function permissionDecision(_permission: string): false {
  return false;
}

/** What the glue needs besides the objects it configures: the dialog and the browser. */
export interface ExternalLinkPort {
  /** Shows "Open <host> in your browser?"; resolves true when the user agrees. */
  confirm(message: string): Promise<boolean>;
  openExternal(url: string): Promise<void>;
}

/** Asks first, then opens: the only way a URL leaves the app. */
export async function openExternalSafely(url: string, port: ExternalLinkPort): Promise<boolean> {
  const host = externalLinkHost(url);
  if (host === null) return false;
  if (!(await port.confirm(openExternalPrompt(host)))) return false;
  await port.openExternal(url);
  return true;
}

/** No permissions, no remote content: the session refuses all of it. */
export function hardenSession(session: Session, devOrigin: string | null): void {
  session.setPermissionRequestHandler((_wc, permission, callback) => callback(permissionDecision(permission)));
  session.setPermissionCheckHandler((_wc, permission) => permissionDecision(permission));
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequest(details.url, devOrigin) });
  });
}

/** No new windows, no navigation, no webviews; external links go through the confirmation. */
export function hardenWindow(win: BrowserWindow, links: ExternalLinkPort): void {
  const contents: WebContents = win.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    if (navigationDecision(url).openExternally) void openExternalSafely(url, links);
    return { action: 'deny' };
  });
  const refuse = (event: { preventDefault(): void }, url: string): void => {
    event.preventDefault();
    if (navigationDecision(url).openExternally) void openExternalSafely(url, links);
  };
  contents.on('will-navigate', refuse);
  contents.on('will-redirect', refuse);
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The glue side of isTrustedSender: reads the frame an IPC event came from. */
export function senderInfo(
  sender: WebContents,
  frame: WebFrameMain | null | undefined,
  ourWindow: BrowserWindow | null,
): SenderInfo {
  const ours = ourWindow !== null && !ourWindow.isDestroyed() && sender === ourWindow.webContents;
  return {
    frameUrl: frame?.url,
    isMainFrame: frame !== null && frame !== undefined && frame === sender.mainFrame,
    fromOurWindow: ours,
  };
}

export { APP_SCHEME };

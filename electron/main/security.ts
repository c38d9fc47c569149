import type { BrowserWindow, Session, WebContents } from 'electron';
import { shell } from 'electron';

/** The renderer's CSP; also set as a response header so it holds even if the meta tag is edited. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; media-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/** Only http(s) links leave the app, and they open in the system browser. */
export function isExternalLink(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || protocol === 'http:';
  } catch {
    return false;
  }
}

/** No remote content, no permissions, no navigation away from the app's own page. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed =
      details.url.startsWith('file://') ||
      details.url.startsWith('devtools://') ||
      details.url.startsWith('data:') ||
      isDevServer(details.url);
    callback({ cancel: !allowed });
  });
}

function isDevServer(url: string): boolean {
  const dev = process.env.ELECTRON_RENDERER_URL;
  return Boolean(dev && url.startsWith(dev));
}

export function hardenWindow(win: BrowserWindow): void {
  const contents: WebContents = win.webContents;
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    if (url !== contents.getURL()) {
      event.preventDefault();
      if (isExternalLink(url)) void shell.openExternal(url);
    }
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** IPC is answered only for our own top frame (vscode's ipcMain checks sender origin the same way). */
export function isTrustedSender(frameUrl: string | undefined): boolean {
  if (!frameUrl) return false;
  return frameUrl.startsWith('file://') || isDevServer(frameUrl);
}

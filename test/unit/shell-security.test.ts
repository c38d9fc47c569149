import { describe, expect, it, vi } from 'vitest';
import type { BrowserWindow, Session, WebContents, WebFrameMain } from 'electron';
import { IPC_CALL, IPC_PUSH } from '../../shared/api/channels.js';
import { APP_ORIGIN } from '../../electron/main/app-protocol.js';
import {
  CONTENT_SECURITY_POLICY,
  devServerOrigin,
  externalLinkHost,
  hardenSession,
  hardenWindow,
  IPC_HANDLED_CHANNELS,
  isAllowedRequest,
  isHandledChannel,
  isTrustedSender,
  navigationDecision,
  openExternalPrompt,
  openExternalSafely,
  originOf,
  senderInfo,
  trustedOrigins,
  type ExternalLinkPort,
  type SenderInfo,
} from '../../electron/main/security.js';

const ours = trustedOrigins(null);
const top = (frameUrl: string | undefined, over: Partial<SenderInfo> = {}): SenderInfo => ({
  frameUrl,
  isMainFrame: true,
  fromOurWindow: true,
  ...over,
});

describe('CSP', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );

  it('denies by default and allows only what the page needs', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('connect-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    for (const d of ['object-src', 'frame-src', 'worker-src', 'base-uri', 'form-action', 'frame-ancestors']) {
      expect(directives.get(d), d).toEqual(["'none'"]);
    }
  });

  it('has no unsafe source, wildcard or remote host anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-(inline|eval|hashes)|wasm-unsafe-eval|\*|https?:|ws:|blob:/);
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; media-src 'self'; object-src 'none'; frame-src 'none'; worker-src 'none'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });
});

describe('IPC sender check', () => {
  it('accepts the main frame of our window on our origin', () => {
    expect(isTrustedSender(top(`${APP_ORIGIN}/index.html`), ours)).toBe(true);
    expect(isTrustedSender(top(`${APP_ORIGIN}/index.html#/alerts/1`), ours)).toBe(true);
  });

  it('refuses a sub-frame even with our origin', () => {
    expect(isTrustedSender(top(`${APP_ORIGIN}/index.html`, { isMainFrame: false }), ours)).toBe(false);
  });

  it('refuses another window, a gone frame, file:// and lookalike origins', () => {
    expect(isTrustedSender(top(`${APP_ORIGIN}/index.html`, { fromOurWindow: false }), ours)).toBe(false);
    expect(isTrustedSender(top(undefined), ours)).toBe(false);
    for (const url of [
      'file:///home/u/out/renderer/index.html',
      'vigil://app.evil/index.html',
      'vigil://evil/index.html',
      'vigil://app:8080/index.html',
      'https://app/index.html',
      'http://localhost:5173/',
      'about:blank',
      'not a url',
    ]) {
      expect(isTrustedSender(top(url), ours), url).toBe(false);
    }
  });

  it('trusts the dev server only in an unpackaged build with the variable set', () => {
    const env = { ELECTRON_RENDERER_URL: 'http://localhost:5173' };
    expect(devServerOrigin(false, env)).toBe('http://localhost:5173');
    expect(devServerOrigin(true, env)).toBeNull();
    expect(devServerOrigin(false, {})).toBeNull();
    // Only a local http dev server: a remote URL in the variable is ignored.
    expect(devServerOrigin(false, { ELECTRON_RENDERER_URL: 'https://evil.example' })).toBeNull();
    expect(devServerOrigin(false, { ELECTRON_RENDERER_URL: 'http://evil.example:5173' })).toBeNull();
    const dev = trustedOrigins(devServerOrigin(false, env));
    expect(isTrustedSender(top('http://localhost:5173/'), dev)).toBe(true);
    expect(isTrustedSender(top('http://localhost:5173/', { isMainFrame: false }), dev)).toBe(false);
    expect(isTrustedSender(top('http://localhost:5173/'), trustedOrigins(devServerOrigin(true, env)))).toBe(false);
  });

  it('reads the sender from the IPC event: main frame of our window only', () => {
    const mainFrame = { url: `${APP_ORIGIN}/index.html` } as WebFrameMain;
    const subFrame = { url: `${APP_ORIGIN}/index.html` } as WebFrameMain;
    const contents = { mainFrame } as unknown as WebContents;
    const win = { isDestroyed: () => false, webContents: contents } as unknown as BrowserWindow;
    expect(isTrustedSender(senderInfo(contents, mainFrame, win), ours)).toBe(true);
    expect(isTrustedSender(senderInfo(contents, subFrame, win), ours)).toBe(false);
    expect(isTrustedSender(senderInfo(contents, null, win), ours)).toBe(false);
    const other = { mainFrame } as unknown as WebContents;
    expect(isTrustedSender(senderInfo(other, mainFrame, win), ours)).toBe(false);
    const destroyed = { isDestroyed: () => true, webContents: contents } as unknown as BrowserWindow;
    expect(isTrustedSender(senderInfo(contents, mainFrame, destroyed), ours)).toBe(false);
    expect(isTrustedSender(senderInfo(contents, mainFrame, null), ours)).toBe(false);
  });

  it('answers one channel only: the Api call (pushes go main → renderer)', () => {
    expect(IPC_HANDLED_CHANNELS).toEqual([IPC_CALL]);
    expect(isHandledChannel(IPC_CALL)).toBe(true);
    expect(isHandledChannel(IPC_PUSH)).toBe(false);
    expect(isHandledChannel('vigil:anything')).toBe(false);
  });

  it('builds origins for custom schemes (URL.origin is "null" for them)', () => {
    expect(new URL('vigil://app/x').origin).toBe('null');
    expect(originOf('vigil://app/x')).toBe('vigil://app');
    expect(originOf('file:///etc/passwd')).toBeNull();
  });
});

describe('external links', () => {
  it('only http(s) with a host and no credentials', () => {
    expect(externalLinkHost('https://grafana.example.com/d/1')).toBe('grafana.example.com');
    expect(externalLinkHost('http://localhost:3000/x')).toBe('localhost:3000');
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'vigil://app/index.html',
      'smb://host/share',
      'https://bank.example@evil.example/',
      'https://user:pw@evil.example/',
      'mailto:a@b.c',
      'garbage',
    ]) {
      expect(externalLinkHost(url), url).toBeNull();
    }
  });

  it('shows the host and opens only when the user agrees', async () => {
    const confirm = vi.fn(async (_m: string) => true);
    const openExternal = vi.fn(async () => {});
    const port: ExternalLinkPort = { confirm, openExternal };
    expect(await openExternalSafely('https://status.openai.com/incidents/1', port)).toBe(true);
    expect(confirm).toHaveBeenCalledWith('Open status.openai.com in your browser?');
    expect(openExternalPrompt('a.example')).toBe('Open a.example in your browser?');
    expect(openExternal).toHaveBeenCalledWith('https://status.openai.com/incidents/1');

    confirm.mockResolvedValueOnce(false);
    openExternal.mockClear();
    expect(await openExternalSafely('https://x.example/', port)).toBe(false);
    expect(openExternal).not.toHaveBeenCalled();

    confirm.mockClear();
    expect(await openExternalSafely('file:///etc/passwd', port)).toBe(false);
    expect(confirm).not.toHaveBeenCalled();
  });

  it('refuses every navigation; http(s) targets may open externally', () => {
    expect(navigationDecision('https://evil.example/')).toEqual({ allow: false, openExternally: true });
    expect(navigationDecision('file:///etc/passwd')).toEqual({ allow: false, openExternally: false });
    expect(navigationDecision(`${APP_ORIGIN}/other.html`)).toEqual({ allow: false, openExternally: false });
  });
});

describe('session and window hardening (with doubles for Electron)', () => {
  function fakeSession() {
    const h: {
      request?: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void;
      check?: (wc: unknown, permission: string) => boolean;
      before?: (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void;
    } = {};
    const session = {
      setPermissionRequestHandler: (f: typeof h.request) => (h.request = f),
      setPermissionCheckHandler: (f: typeof h.check) => (h.check = f),
      webRequest: { onBeforeRequest: (f: typeof h.before) => (h.before = f) },
    } as unknown as Session;
    return { session, h };
  }

  it('denies every permission request and check, and blocks foreign requests', () => {
    const { session, h } = fakeSession();
    hardenSession(session, null);
    for (const p of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal', 'fullscreen']) {
      const cb = vi.fn();
      h.request?.({}, p, cb);
      expect(cb).toHaveBeenCalledWith(false);
      expect(h.check?.({}, p)).toBe(false);
    }
    const verdict = (url: string) => {
      let cancel: boolean | undefined;
      h.before?.({ url }, (r) => (cancel = r.cancel));
      return cancel;
    };
    expect(verdict(`${APP_ORIGIN}/assets/index.js`)).toBe(false);
    expect(verdict('data:image/png;base64,AAAA')).toBe(false);
    expect(verdict('https://evil.example/x.js')).toBe(true);
    expect(verdict('file:///etc/passwd')).toBe(true);
    expect(verdict('http://localhost:5173/')).toBe(true);
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', 'http://localhost:5173')).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', 'http://localhost:5173')).toBe(true);
    expect(isAllowedRequest('ws://localhost:5173/', null)).toBe(false);
    expect(isAllowedRequest('ws://localhost:5174/', 'http://localhost:5173')).toBe(false);
    expect(isAllowedRequest('http://localhost:5173.evil.example/', 'http://localhost:5173')).toBe(false);
  });

  it('denies window.open and navigation, refuses webviews, and asks before opening a link', async () => {
    const listeners = new Map<string, (e: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    const contents = {
      setWindowOpenHandler: (f: typeof openHandler) => (openHandler = f),
      on: (ev: string, f: (e: { preventDefault(): void }, url: string) => void) => listeners.set(ev, f),
    };
    const win = { webContents: contents } as unknown as BrowserWindow;
    const port = { confirm: vi.fn(async () => false), openExternal: vi.fn(async () => {}) };
    hardenWindow(win, port);
    expect(openHandler?.({ url: 'https://a.example/' })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = { preventDefault: vi.fn() };
      listeners.get(ev)?.(e, 'https://b.example/');
      expect(e.preventDefault, ev).toHaveBeenCalled();
    }
    await new Promise((r) => setImmediate(r));
    expect(port.confirm).toHaveBeenCalledWith('Open a.example in your browser?');
    expect(port.confirm).not.toHaveBeenCalledWith(expect.stringContaining('/etc/passwd'));
    expect(port.openExternal).not.toHaveBeenCalled();
  });
});

import type { BrowserWindowConstructorOptions } from 'electron';
import type { WindowBounds } from './window-state.js';

/** The window's size on first start (before any remembered state) and its floor. */
export const DEFAULT_WINDOW_SIZE = { width: 1280, height: 820 } as const;
export const MIN_WINDOW_SIZE = { width: 960, height: 600 } as const;
export const WINDOW_BACKGROUND = '#111418';

/**
 * The main window's options, as data (unit-tested). The renderer gets no Node, runs sandboxed
 * and context-isolated, keeps web security, and reaches main only through the preload's
 * `window.vigil`. Things the page never needs are off: spellcheck (no text leaves the app),
 * webviews, experimental features, insecure content, autoplay gestures stay the renderer's call.
 */
export function mainWindowOptions(opts: { preload: string; bounds?: WindowBounds }): BrowserWindowConstructorOptions {
  const b = opts.bounds;
  return {
    width: b?.width ?? DEFAULT_WINDOW_SIZE.width,
    height: b?.height ?? DEFAULT_WINDOW_SIZE.height,
    ...(b?.x !== undefined && b?.y !== undefined ? { x: b.x, y: b.y } : {}),
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    title: 'Vigil',
    backgroundColor: WINDOW_BACKGROUND,
    // Shown by the WindowController, not on creation: a start at login stays in the tray. The
    // background colour keeps the first paint from flashing white.
    show: false,
    webPreferences: {
      preload: opts.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      // Middle-click (auxclick) would open links in new windows; the open handler denies them anyway.
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: true,
    },
  };
}

/** The slice of BrowserWindow the controller uses (a test passes a double). */
export interface ControlledWindow {
  isDestroyed(): boolean;
  isVisible(): boolean;
  isMinimized(): boolean;
  show(): void;
  hide(): void;
  restore(): void;
  focus(): void;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export interface WindowControllerOptions<W extends ControlledWindow> {
  /** Makes a new window (the app's factory: options, hardening, load, state keeping). */
  create(): W;
  /**
   * Whether closing the window keeps the app in the tray (hide) rather than closing it: true
   * while on call (the merger wires it to the settings / the rotation); read on every close.
   */
  keepInTray(): boolean;
  /** Called when the window really closed while the app is not quitting and not kept in the tray. */
  onLastWindowClosed?(): void;
}

/**
 * The one main window: shown, hidden into the tray, recreated when it was destroyed. The bug it
 * fixes: the tray's click handler called `show()` on a window that had been closed (destroyed),
 * so the app could not be reopened. Every use goes through `current()`, never a captured window.
 */
export class WindowController<W extends ControlledWindow> {
  private win: W | null = null;
  private quitting = false;

  constructor(private readonly opts: WindowControllerOptions<W>) {}

  /** The live window, or null (never a destroyed one). */
  current(): W | null {
    if (this.win && this.win.isDestroyed()) this.win = null;
    return this.win;
  }

  /** The live window, creating one when there is none. */
  ensure(): W {
    const existing = this.current();
    if (existing) return existing;
    const win = this.opts.create();
    this.win = win;
    win.on('close', (event) => {
      if (!this.quitting && this.opts.keepInTray()) {
        event.preventDefault();
        win.hide();
      }
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
      if (!this.quitting) this.opts.onLastWindowClosed?.();
    });
    return win;
  }

  /** Brings the window up (tray click, second launch): recreated if destroyed, restored, focused. */
  show(): W {
    const win = this.ensure();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return win;
  }

  /** Tray "Open" when the window is up hides it; otherwise shows it. */
  toggle(): void {
    const win = this.current();
    if (win && win.isVisible()) win.hide();
    else this.show();
  }

  /** From now on a close really closes (Quit from the tray or the menu, OS shutdown). */
  markQuitting(): void {
    this.quitting = true;
  }

  isQuitting(): boolean {
    return this.quitting;
  }
}

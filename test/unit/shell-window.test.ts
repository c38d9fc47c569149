import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  DEFAULT_WINDOW_SIZE,
  MIN_WINDOW_SIZE,
  mainWindowOptions,
  WindowController,
  type ControlledWindow,
} from '../../electron/main/window.js';
import {
  clampToDisplays,
  loadWindowState,
  MIN_VISIBLE_PX,
  saveWindowState,
  WINDOW_STATE_FILE,
  windowStateOf,
  type Rect,
} from '../../electron/main/window-state.js';
import { claimSingleInstance, startsHidden } from '../../electron/main/single-instance.js';
import { electronLoginItem } from '../../electron/main/services/settings/login-item.js';

describe('window factory options', () => {
  it('isolates the renderer: no Node, sandboxed, context-isolated, web security on', () => {
    const o = mainWindowOptions({ preload: '/app/out/preload/index.cjs' });
    expect(o.webPreferences).toEqual({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: true,
    });
    // Nothing that would loosen it sneaks in.
    const prefs = o.webPreferences as Record<string, unknown>;
    for (const k of ['enableBlinkFeatures', 'additionalArguments', 'partition']) {
      expect(prefs[k], k).toBeUndefined();
    }
    expect(o.show).toBe(false);
    expect(o).toMatchObject({
      ...DEFAULT_WINDOW_SIZE,
      minWidth: MIN_WINDOW_SIZE.width,
      minHeight: MIN_WINDOW_SIZE.height,
    });
    expect(o.x).toBeUndefined();
  });

  it('takes remembered bounds; a position only with both coordinates', () => {
    expect(
      mainWindowOptions({ preload: 'p', bounds: { width: 1000, height: 700, x: 10, y: 20, maximized: false } }),
    ).toMatchObject({
      width: 1000,
      height: 700,
      x: 10,
      y: 20,
    });
    const noPos = mainWindowOptions({ preload: 'p', bounds: { width: 1000, height: 700, maximized: false } });
    expect(noPos.x).toBeUndefined();
    expect(noPos.y).toBeUndefined();
  });
});

const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
const right: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

describe('window state clamping', () => {
  it('keeps bounds that fit a display', () => {
    expect(
      clampToDisplays({ version: 1, x: 100, y: 50, width: 1280, height: 820, maximized: false }, [laptop]),
    ).toEqual({
      x: 100,
      y: 50,
      width: 1280,
      height: 820,
      maximized: false,
    });
  });

  it('drops the position when its display is gone (monitor unplugged)', () => {
    const b = clampToDisplays({ version: 1, x: 2500, y: 100, width: 1600, height: 1000, maximized: true }, [laptop]);
    expect(b).toEqual({ width: 1600, height: 1000, maximized: true });
  });

  it('keeps a window on the second display there, pulled fully inside', () => {
    const b = clampToDisplays({ version: 1, x: 4000, y: 900, width: 1200, height: 800, maximized: false }, [
      laptop,
      right,
    ]);
    expect(b).toEqual({ x: 4480 - 1200, y: 1400 - 800, width: 1200, height: 800, maximized: false });
  });

  it('shrinks a window larger than the display (resolution lowered) and keeps the minimum', () => {
    const small: Rect = { x: 0, y: 0, width: 1280, height: 720 };
    const b = clampToDisplays({ version: 1, x: 0, y: 0, width: 2500, height: 1400, maximized: false }, [small]);
    expect(b).toEqual({ x: 0, y: 0, width: 1280, height: 720, maximized: false });
    const tiny = clampToDisplays({ version: 1, width: 10, height: 10, maximized: false }, [laptop]);
    expect(tiny).toEqual({ width: MIN_WINDOW_SIZE.width, height: MIN_WINDOW_SIZE.height, maximized: false });
  });

  it('needs a grabbable corner on screen to keep a position', () => {
    const justOff = {
      version: 1 as const,
      x: 1920 - (MIN_VISIBLE_PX - 1),
      y: 100,
      width: 1000,
      height: 700,
      maximized: false,
    };
    expect(clampToDisplays(justOff, [laptop]).x).toBeUndefined();
    const justOn = { ...justOff, x: 1920 - MIN_VISIBLE_PX };
    expect(clampToDisplays(justOn, [laptop])).toMatchObject({ x: 1920 - 1000, y: 100 });
    // Above the top edge (title bar unreachable) is pulled down too.
    expect(clampToDisplays({ ...justOff, x: 100, y: -300 }, [laptop])).toMatchObject({ x: 100, y: 0 });
  });

  it('defaults without a file, and without displays', () => {
    expect(clampToDisplays(undefined, [laptop])).toEqual({ ...DEFAULT_WINDOW_SIZE, maximized: false });
    expect(clampToDisplays(undefined, [])).toEqual({ ...DEFAULT_WINDOW_SIZE, maximized: false });
  });
});

describe('window state file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-winstate-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips through a private JSON file', () => {
    saveWindowState(dir, { x: 5, y: 6, width: 1300, height: 800, maximized: true });
    expect(loadWindowState(dir)).toEqual({ version: 1, x: 5, y: 6, width: 1300, height: 800, maximized: true });
    expect(statSync(join(dir, WINDOW_STATE_FILE)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, WINDOW_STATE_FILE), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('ignores a damaged, hostile or foreign file', () => {
    for (const body of [
      '{not json',
      '[]',
      '{"version":2,"width":1,"height":1}',
      '{"version":1,"width":-5,"height":800}',
      '{"version":1,"width":1e9,"height":800}',
      '{"version":1,"width":1280.5,"height":800}',
      '{"version":1,"width":1280,"height":800,"x":"0"}',
      '{"version":1,"width":1280,"height":800,"__proto__":{"x":1}}',
      '{"version":1,"width":1280,"height":800,"extra":true}',
    ]) {
      writeFileSync(join(dir, WINDOW_STATE_FILE), body);
      expect(loadWindowState(dir), body).toBeUndefined();
    }
    expect(loadWindowState(join(dir, 'missing'))).toBeUndefined();
  });

  it('refuses to save nonsense', () => {
    expect(() => saveWindowState(dir, { width: Number.NaN, height: 800, maximized: false })).toThrow();
  });

  it('reads normal (unmaximized) bounds from the window', () => {
    const win = { getNormalBounds: () => ({ x: 1.4, y: 2.6, width: 1280.2, height: 800 }), isMaximized: () => true };
    expect(windowStateOf(win)).toEqual({ x: 1, y: 3, width: 1280, height: 800, maximized: true });
  });
});

class FakeWindow implements ControlledWindow {
  destroyed = false;
  visible = false;
  minimized = false;
  private readonly closeListeners: ((e: { preventDefault(): void }) => void)[] = [];
  private readonly closedListeners: (() => void)[] = [];
  isDestroyed = () => this.destroyed;
  isVisible = () => this.visible;
  isMinimized = () => this.minimized;
  show = vi.fn(() => {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.visible = true;
  });
  hide = vi.fn(() => {
    this.visible = false;
  });
  restore = vi.fn(() => {
    this.minimized = false;
  });
  focus = vi.fn();
  on(event: 'close' | 'closed', listener: ((e: { preventDefault(): void }) => void) | (() => void)): this {
    if (event === 'close') this.closeListeners.push(listener as (e: { preventDefault(): void }) => void);
    else this.closedListeners.push(listener as () => void);
    return this;
  }
  /** What the user's close button does: 'close' (cancellable), then destroy and 'closed'. */
  userClose(): void {
    let prevented = false;
    for (const l of this.closeListeners) l({ preventDefault: () => (prevented = true) });
    if (prevented) return;
    this.destroyed = true;
    this.visible = false;
    for (const l of this.closedListeners) l();
  }
}

describe('window controller (close to tray, reopen)', () => {
  function setup(onCall: boolean) {
    const made: FakeWindow[] = [];
    let keep = onCall;
    const onLastWindowClosed = vi.fn();
    const c = new WindowController<FakeWindow>({
      create: () => {
        const w = new FakeWindow();
        made.push(w);
        return w;
      },
      keepInTray: () => keep,
      onLastWindowClosed,
    });
    return { c, made, onLastWindowClosed, setKeep: (v: boolean) => (keep = v) };
  }

  it('hides instead of closing while on call; the tray shows the same window again', () => {
    const { c, made } = setup(true);
    const w = c.show();
    w.userClose();
    expect(w.destroyed).toBe(false);
    expect(w.visible).toBe(false);
    c.show();
    expect(made).toHaveLength(1);
    expect(w.visible).toBe(true);
  });

  it('recreates a window that was really closed (the old bug: show() on a destroyed window)', () => {
    const { c, made, onLastWindowClosed } = setup(false);
    const first = c.show();
    first.userClose();
    expect(first.destroyed).toBe(true);
    expect(onLastWindowClosed).toHaveBeenCalledTimes(1);
    expect(c.current()).toBeNull();
    const second = c.show();
    expect(made).toHaveLength(2);
    expect(second).not.toBe(first);
    expect(second.visible).toBe(true);
    expect(first.show).not.toHaveBeenCalledTimes(2);
  });

  it('a window destroyed behind its back (renderer crash) is replaced too', () => {
    const { c, made } = setup(true);
    const w = c.show();
    w.destroyed = true;
    c.show();
    expect(made).toHaveLength(2);
  });

  it('restores a minimized window and toggles from the tray', () => {
    const { c } = setup(true);
    const w = c.show();
    w.minimized = true;
    c.show();
    expect(w.restore).toHaveBeenCalled();
    c.toggle();
    expect(w.visible).toBe(false);
    c.toggle();
    expect(w.visible).toBe(true);
  });

  it('Quit really closes, even while on call', () => {
    const { c, onLastWindowClosed } = setup(true);
    const w = c.show();
    c.markQuitting();
    w.userClose();
    expect(w.destroyed).toBe(true);
    expect(onLastWindowClosed).not.toHaveBeenCalled();
    expect(c.isQuitting()).toBe(true);
  });

  it('reads "on call" at each close', () => {
    const { c, setKeep } = setup(true);
    const w = c.show();
    setKeep(false);
    w.userClose();
    expect(w.destroyed).toBe(true);
  });
});

describe('single instance', () => {
  it('the first instance keeps running and shows its window on a second launch', () => {
    let second: (() => void) | undefined;
    const app = {
      requestSingleInstanceLock: () => true,
      on: (_e: 'second-instance', l: () => void) => (second = l),
      quit: vi.fn(),
    };
    const show = vi.fn();
    expect(claimSingleInstance(app, show)).toBe(true);
    second?.();
    expect(show).toHaveBeenCalledTimes(1);
    expect(app.quit).not.toHaveBeenCalled();
  });

  it('a second instance quits at once', () => {
    const app = { requestSingleInstanceLock: () => false, on: vi.fn(), quit: vi.fn() };
    expect(claimSingleInstance(app, vi.fn())).toBe(false);
    expect(app.quit).toHaveBeenCalled();
    expect(app.on).not.toHaveBeenCalled();
  });

  it('launch at login: the login item passes --hidden and the start stays in the tray', () => {
    // The setting itself is electronLoginItem (services/settings/login-item.ts), driven by Settings.
    const app = { setLoginItemSettings: vi.fn() };
    electronLoginItem(app, 'win32').set(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true, args: ['--hidden'] });
    expect(electronLoginItem(app, 'linux').capability().available).toBe(false);
    expect(startsHidden(['/opt/vigil', '--hidden'], false)).toBe(true);
    expect(startsHidden(['/opt/vigil'], true)).toBe(true);
    expect(startsHidden(['/opt/vigil'], false)).toBe(false);
  });
});

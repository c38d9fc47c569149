import { join } from 'node:path';
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { TrayAction, TrayIconState, TrayMenuItem, TrayView } from './tray-state.js';

/** The tray icons, drawn by build/make-icons.mjs (16 px, with @2x variants picked by Electron). */
export const TRAY_ICON_DIR = join('build', 'tray');

export function trayIconPath(appPath: string, state: TrayIconState): string {
  return join(appPath, TRAY_ICON_DIR, `${state}.png`);
}

/** The menu model → Electron's template; each click reports the item's action. */
export function trayMenuTemplate(
  items: readonly TrayMenuItem[],
  run: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    if (item.type === 'submenu') {
      return { id: item.id, label: item.label, enabled: item.enabled, submenu: trayMenuTemplate(item.items, run) };
    }
    const action = item.action;
    return { id: item.id, label: item.label, enabled: item.enabled, click: () => run(action) };
  });
}

/** The Electron pieces the tray needs (passed in: this module has no runtime `electron` import). */
export interface TrayDeps {
  createTray(image: NativeImage): Tray;
  buildMenu(template: MenuItemConstructorOptions[]): Menu;
  loadImage(path: string): NativeImage;
  appPath: string;
  platform: NodeJS.Platform;
}

/**
 * Paints a TrayView: icon, tooltip, macOS title, menu. Rebuilds the menu only when it changed
 * (the countdown repaints the tooltip every second; a menu rebuilt that often closes under the
 * user's pointer on some desktops).
 */
export class TrayController {
  private readonly tray: Tray;
  private icon: TrayIconState | null = null;
  private menuKey = '';
  private readonly images = new Map<TrayIconState, NativeImage>();

  constructor(
    private readonly deps: TrayDeps,
    private readonly onAction: (action: TrayAction) => void,
  ) {
    this.tray = deps.createTray(this.image('clear'));
    this.icon = 'clear';
    // Linux desktops differ: some send 'click', others only open the menu. Both paths reach "Open".
    this.tray.on('click', () => this.onAction({ kind: 'open' }));
  }

  private image(state: TrayIconState): NativeImage {
    let img = this.images.get(state);
    if (!img) {
      img = this.deps.loadImage(trayIconPath(this.deps.appPath, state));
      this.images.set(state, img);
    }
    return img;
  }

  render(view: TrayView): void {
    if (this.tray.isDestroyed()) return;
    if (view.icon !== this.icon) {
      this.tray.setImage(this.image(view.icon));
      this.icon = view.icon;
    }
    this.tray.setToolTip(view.tooltip);
    if (this.deps.platform === 'darwin') this.tray.setTitle(view.title);
    const key = JSON.stringify(view.menu);
    if (key !== this.menuKey) {
      this.menuKey = key;
      this.tray.setContextMenu(this.deps.buildMenu(trayMenuTemplate(view.menu, this.onAction)));
    }
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}

import type { Capability } from '../../../../shared/protocol/settings.js';

/** Launch at login: Electron's `app.setLoginItemSettings`; the headless host has none. */
export interface LoginItem {
  capability(): Capability;
  set(openAtLogin: boolean): void;
}

/** The part of Electron's `app` the login item needs (Electron's `app` satisfies it). */
export interface LoginItemHost {
  setLoginItemSettings(settings: { openAtLogin: boolean }): void;
}

/** A browser tab cannot start itself at login: shown disabled, with this reason. */
export const headlessLoginItem: LoginItem = {
  capability: () => ({
    available: false,
    reason: 'Only the desktop app can start at login; this is the browser UI of the headless host.',
  }),
  set: () => {
    throw new Error('launch at login needs the desktop app');
  },
};

/** Electron's login item (macOS, Windows; on Linux Electron has none: reported unavailable). */
export function electronLoginItem(host: LoginItemHost, platform: NodeJS.Platform = process.platform): LoginItem {
  if (platform === 'linux') {
    return {
      capability: () => ({
        available: false,
        reason: 'Electron cannot register login items on Linux; add Vigil to your desktop session’s autostart.',
      }),
      set: headlessLoginItem.set,
    };
  }
  return {
    capability: () => ({ available: true }),
    set: (openAtLogin) => host.setLoginItemSettings({ openAtLogin }),
  };
}

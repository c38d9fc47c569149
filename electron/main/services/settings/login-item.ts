import type { Capability } from '../../../../shared/protocol/settings.js';
import { START_HIDDEN_FLAG } from '../../single-instance.js';

/** Launch at login: Electron's `app.setLoginItemSettings`; the headless host has none. */
export interface LoginItem {
  capability(): Capability;
  set(openAtLogin: boolean): void;
}

/** The part of Electron's `app` the login item needs (Electron's `app` satisfies it). */
export interface LoginItemHost {
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
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
    // Started at login, the app comes up in the tray, not in the user's face (Windows passes
    // the flag; macOS reports wasOpenedAtLogin: see startsHidden).
    set: (openAtLogin) => host.setLoginItemSettings({ openAtLogin, args: [START_HIDDEN_FLAG] }),
  };
}

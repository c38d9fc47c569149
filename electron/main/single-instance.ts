/** The slice of Electron's `app` used for the single-instance lock (a test passes a double). */
export interface SingleInstanceApp {
  requestSingleInstanceLock(): boolean;
  on(event: 'second-instance', listener: () => void): unknown;
  quit(): void;
}

/**
 * One Vigil per user: two would each start a collector on the same data dir (the second
 * refused by its lock) and ring every page twice. The second launch quits at once and the
 * first brings its window up (`onSecondLaunch`, e.g. WindowController.show: recreated if it
 * was closed). Returns false in the second instance, which must not go on starting.
 */
export function claimSingleInstance(app: SingleInstanceApp, onSecondLaunch: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => onSecondLaunch());
  return true;
}

/** Passed by the Windows login item; on macOS `wasOpenedAtLogin` says it. Start in the tray, window hidden. */
export const START_HIDDEN_FLAG = '--hidden';

/** Whether this start should leave the window hidden (started at login). */
export function startsHidden(argv: readonly string[], wasOpenedAtLogin: boolean): boolean {
  return wasOpenedAtLogin || argv.includes(START_HIDDEN_FLAG);
}

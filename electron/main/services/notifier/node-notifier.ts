import notifier from 'node-notifier';
import { Listeners, silentLogger, type Logger } from '../runtime.js';
import { escapeMarkup } from './markup.js';
import { ACK_ACTION, type DesktopNotification, type Notifier, type NotifyResult } from './notifier.js';

export type Platform = 'linux' | 'darwin' | 'win32' | 'other';

/** node-notifier's options per platform; exported so the loudness choices are unit-testable. */
export function platformOptions(platform: Platform, n: DesktopNotification): Record<string, unknown> {
  const base = { title: n.title, message: n.body };
  switch (platform) {
    case 'linux':
      // notify-send: critical urgency stays up until dismissed (and most daemons put it on top);
      // timeout 0 = never expire. node-notifier's notify-send wrapper exposes no actions and no
      // click callback: this is the fallback for a libnotify too old for actions (LinuxNotifier
      // offers "Acknowledge" otherwise), where a page is acknowledged in the app.
      return {
        ...base,
        // notify-send underneath: the body is markup to the daemon (see markup.ts).
        message: escapeMarkup(n.body),
        urgency: n.loud ? 'critical' : 'normal',
        timeout: n.loud ? 0 : 10,
        'app-name': 'Vigil',
        category: n.loud ? 'vigil.page' : 'vigil.ticket',
      };
    case 'darwin':
      // Notification Center: the sound is the loud part; `wait` keeps the banner and reports the action.
      return {
        ...base,
        sound: n.loud ? 'Sosumi' : false,
        wait: n.acknowledgeAction,
        ...(n.acknowledgeAction ? { actions: [ACK_ACTION] } : {}),
      };
    case 'win32':
      // Toast with sound; actions come back through the callback's metadata.
      return {
        ...base,
        sound: n.loud,
        wait: n.acknowledgeAction,
        appID: 'Vigil',
        ...(n.acknowledgeAction ? { actions: [ACK_ACTION] } : {}),
      };
    default:
      return base;
  }
}

/** Errors that no retry will fix: the notifier binary is missing or the OS has none. */
function isPermanent(err: Error): boolean {
  return /must be installed|not supported|only supported|ENOENT|not found/i.test(err.message);
}

function platformOf(p: NodeJS.Platform): Platform {
  return p === 'linux' || p === 'darwin' || p === 'win32' ? p : 'other';
}

/** The real notifier: node-notifier with the loudest option each platform has. */
export class NodeNotifier implements Notifier {
  private readonly acks = new Listeners<string>();
  private readonly platform: Platform;

  constructor(
    private readonly log: Logger = silentLogger,
    platform: NodeJS.Platform = process.platform,
  ) {
    this.platform = platformOf(platform);
  }

  /** Whether this platform can report an "Acknowledge" press back to us. */
  supportsActions(): boolean {
    return this.platform === 'darwin' || this.platform === 'win32';
  }

  onAcknowledge(listener: (id: string) => void): () => void {
    return this.acks.on(listener);
  }

  notify(n: DesktopNotification): Promise<NotifyResult> {
    const options = platformOptions(this.platform, {
      ...n,
      acknowledgeAction: n.acknowledgeAction && this.supportsActions(),
    });
    const waits = options.wait === true;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (r: NotifyResult): void => {
        if (settled) return;
        settled = true;
        resolve(r);
      };
      try {
        notifier.notify(
          options,
          (err: Error | null, response: unknown, metadata?: { activationValue?: string; button?: string }) => {
            if (err) {
              const error = err instanceof Error ? err : new Error(String(err));
              if (settled) this.log.warn(`notifier: ${error.message}`);
              return settle({ ok: false, retry: !isPermanent(error), error: error.message });
            }
            const pressed =
              metadata?.activationValue ?? metadata?.button ?? (typeof response === 'string' ? response : '');
            if (pressed.toLowerCase() === ACK_ACTION.toLowerCase()) this.acks.emit(n.id, this.log);
            settle({ ok: true });
          },
        );
      } catch (err) {
        settle({ ok: false, retry: false, error: String(err) });
        return;
      }
      // With `wait` the callback only comes after the person reacts; the notification is up now.
      if (waits) settle({ ok: true });
    });
  }
}

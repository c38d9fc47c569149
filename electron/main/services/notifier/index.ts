import type { Logger } from '../runtime.js';
import { LinuxNotifier, notifySendHasActions } from './linux-notifier.js';
import { NodeNotifier } from './node-notifier.js';
import type { Notifier } from './notifier.js';

export * from './notifier.js';
export * from './node-notifier.js';
export * from './linux-notifier.js';
export * from './markup.js';

/**
 * The desktop's notifier: on Linux, notify-send itself when it can offer an "Acknowledge" button
 * (libnotify ≥ 0.7.10); otherwise node-notifier (Notification Center, toasts, older libnotify).
 */
export function createNotifier(log: Logger, platform: NodeJS.Platform = process.platform): Notifier {
  if (platform === 'linux' && notifySendHasActions()) return new LinuxNotifier(log);
  return new NodeNotifier(log, platform);
}

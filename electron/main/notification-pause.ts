import type { Clock } from '../../shared/clock.js';
import type { Notifier } from './services/notifier/notifier.js';

/**
 * The longest pause: the tray's longest choice (2 h, PAUSE_CHOICES_MIN in tray-state.ts); anything
 * asked beyond it is cut to it, so quiet notifications never stay off for a whole shift by accident.
 */
export const MAX_PAUSE_MS = 2 * 60 * 60_000;

/**
 * "Pause other notifications for N minutes" (tray menu): quiet notifications (tickets, shift
 * notices, acknowledgements) are dropped until the pause ends; pages (loud) always go through,
 * because an on-call tool that can be muted by accident is worse than a noisy one.
 */
export class NotificationPause {
  private until: number | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  pause(ms: number): void {
    this.until = this.clock.now() + Math.min(Math.max(0, ms), MAX_PAUSE_MS);
    this.emit();
  }

  resume(): void {
    this.until = undefined;
    this.emit();
  }

  /** The pause end, or undefined when not paused (an ended pause reads as none). */
  pausedUntil(): number | undefined {
    if (this.until !== undefined && this.until <= this.clock.now()) this.until = undefined;
    return this.until;
  }

  isPaused(): boolean {
    return this.pausedUntil() !== undefined;
  }

  onChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

/** A Notifier that drops quiet notifications while paused and passes everything else through. */
export function pausableNotifier(inner: Notifier, pause: NotificationPause): Notifier {
  return {
    notify: (n) => (!n.loud && pause.isPaused() ? Promise.resolve({ ok: true }) : inner.notify(n)),
    onAcknowledge: (l) => inner.onAcknowledge(l),
    ...(inner.withdraw ? { withdraw: (id, text) => inner.withdraw?.(id, text) } : {}),
    ...(inner.dispose ? { dispose: () => inner.dispose?.() } : {}),
  };
}

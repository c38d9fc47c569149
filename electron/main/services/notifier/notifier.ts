/**
 * The port the Alarm rings through. Like Alertmanager's `Notifier.Notify → (retry, err)`, a
 * failure says whether trying again can help (the notification daemon is restarting) or not
 * (no notifier on this system), so the caller backs off or gives up instead of guessing.
 */
export interface DesktopNotification {
  /**
   * Stable per incident (one notification per incident, issue 12): platforms that support it
   * replace rather than stack. The Acknowledge button reports this id back.
   */
  id: string;
  title: string;
  body: string;
  /** Loud: critical urgency / sound / alarm toast; quiet: a normal, silent notification. */
  loud: boolean;
  /** Offer an "Acknowledge" button where the platform supports actions. */
  acknowledgeAction: boolean;
}

export type NotifyResult = { ok: true } | { ok: false; retry: boolean; error: string };

export interface Notifier {
  notify(n: DesktopNotification): Promise<NotifyResult>;
  /** The user pressed "Acknowledge" on a notification (platforms with actions only). */
  onAcknowledge(listener: (id: string) => void): () => void;
  /**
   * The incident stopped ringing here (acknowledged, resolved, snoozed, now someone else's): take
   * its notification down where the platform can, showing `text` briefly instead.
   */
  withdraw?(id: string, text: { title: string; body: string }): void;
  /** Releases what it holds (processes waiting for a button); notifications already shown stay. */
  dispose?(): void;
}

/** The label of the action button; also what macOS / Windows report back when it is pressed. */
export const ACK_ACTION = 'Acknowledge';

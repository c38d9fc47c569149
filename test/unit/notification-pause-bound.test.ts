import { describe, expect, it } from 'vitest';
import { MAX_PAUSE_MS, NotificationPause } from '../../electron/main/notification-pause.js';
import { PAUSE_CHOICES_MIN } from '../../electron/main/tray-state.js';

/** Issue 16 review (L5): the pause's bound is the tray's longest choice, as its comment says. */
describe('the notification pause bound', () => {
  it("is the tray's longest choice (2 h), and a longer pause is cut to it", () => {
    expect(MAX_PAUSE_MS).toBe(Math.max(...PAUSE_CHOICES_MIN) * 60_000);
    expect(MAX_PAUSE_MS).toBe(2 * 60 * 60_000);
    const now = 1_000_000;
    const pause = new NotificationPause({ now: () => now });
    pause.pause(24 * 60 * 60_000);
    expect(pause.pausedUntil()).toBe(now + 2 * 60 * 60_000);
  });
});

import { useEffect, useRef } from 'react';
import { createAlarmTone, isRinging, useAlarmStore, type AlarmTone } from '../lib/alarm';
import { useSettingsStore } from '../store/settings';

/**
 * Loops the alarm tone while a page rings for this user (unless the settings turned the sound
 * off; at their volume). Browsers refuse audio before a user gesture: then a slim bar says so and
 * offers one click to enable it (Electron allows it outright).
 */
export function AlarmSound() {
  const enabled = useSettingsStore((s) => s.view?.settings.sound.enabled ?? true);
  const ringing = useAlarmStore((s) => isRinging(s.alarm)) && enabled;
  const sound = useAlarmStore((s) => s.sound);
  const setSound = useAlarmStore((s) => s.setSound);
  const tone = useRef<AlarmTone | null>(null);

  useEffect(() => {
    const Ctx = window.AudioContext as typeof AudioContext | undefined;
    if (!Ctx) {
      setSound('unsupported');
      return;
    }
    tone.current ??= createAlarmTone(Ctx, () => useSettingsStore.getState().view?.settings.sound.volume ?? 1);
    const t = tone.current;
    if (!ringing) {
      t.stop();
      setSound('idle');
      return;
    }
    let cancelled = false;
    void t.start().then((ok) => {
      if (!cancelled) setSound(ok ? 'playing' : 'blocked');
    });
    return () => {
      cancelled = true;
      t.stop();
    };
  }, [ringing, setSound]);

  if (!ringing || sound !== 'blocked') return null;
  return (
    <div className="sound-blocked" role="alert" data-testid="sound-blocked">
      <span className="sound-blocked-text">The browser is blocking the alarm sound for this page.</span>
      <button
        type="button"
        className="btn btn-primary btn-slim"
        data-testid="enable-sound"
        onClick={() => void tone.current?.start().then((ok) => setSound(ok ? 'playing' : 'blocked'))}
      >
        Enable alarm sound
      </button>
    </div>
  );
}

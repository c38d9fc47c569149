import { create } from 'zustand';
import type { AlarmPage, AlarmState } from '../../../shared/protocol';

/**
 * The desktop Alarm as the page sees it (from `alarm.get` / `alarm-changed`), plus whether the
 * in-app alarm sound can play: browsers block audio until the page has had a user gesture.
 */
export type SoundState = 'idle' | 'playing' | 'blocked' | 'unsupported';

interface AlarmStore {
  alarm: AlarmState | null;
  sound: SoundState;
  setAlarm(alarm: AlarmState): void;
  setSound(sound: SoundState): void;
}

export const useAlarmStore = create<AlarmStore>()((set) => ({
  alarm: null,
  sound: 'idle',
  setAlarm: (alarm) => set({ alarm }),
  setSound: (sound) => set({ sound }),
}));

/** Whether any page rings for this user. */
export function isRinging(alarm: AlarmState | null): boolean {
  return (alarm?.ringing.length ?? 0) > 0;
}

/** Whether this incident rings for this user (the Alarm is per incident since protocol 5). */
export function isIncidentRinging(alarm: AlarmState | null, incidentId: string): boolean {
  return alarm?.ringing.some((p) => p.incidentId === incidentId) ?? false;
}

/** The ringing page of an incident, if it rings. */
export function ringingPage(alarm: AlarmState | null, incidentId: string): AlarmPage | undefined {
  return alarm?.ringing.find((p) => p.incidentId === incidentId);
}

/** One second of a two-tone alarm, repeated: generated, so no audio asset is ever fetched. */
const BEEP_S = 0.18;
const PATTERN: readonly [freq: number, at: number][] = [
  [880, 0],
  [660, 0.25],
  [880, 0.5],
];
const LOOP_MS = 1_200;

export interface AlarmTone {
  /** Resolves to false when the browser keeps audio suspended (no user gesture yet). */
  start(): Promise<boolean>;
  stop(): void;
}

/** The tone's peak gain at full volume (a square wave: loud enough at a quarter). */
const PEAK_GAIN = 0.25;
/** exponentialRamp needs a positive target: silence is this. */
const SILENT_GAIN = 0.0001;

/** A looping alarm tone on the Web Audio API; `volume()` (0–1, the settings' volume) is read on each beep. */
export function createAlarmTone(AudioCtx: typeof AudioContext, volume: () => number = () => 1): AlarmTone {
  let ctx: AudioContext | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  const burst = (c: AudioContext): void => {
    for (const [freq, at] of PATTERN) {
      const osc = c.createOscillator();
      const gain = c.createGain();
      osc.type = 'square';
      osc.frequency.value = freq;
      const t = c.currentTime + at;
      const peak = Math.max(SILENT_GAIN, PEAK_GAIN * Math.min(1, Math.max(0, volume())));
      gain.gain.setValueAtTime(SILENT_GAIN, t);
      gain.gain.exponentialRampToValueAtTime(peak, t + 0.01);
      gain.gain.exponentialRampToValueAtTime(SILENT_GAIN, t + BEEP_S);
      osc.connect(gain).connect(c.destination);
      osc.start(t);
      osc.stop(t + BEEP_S + 0.02);
    }
  };
  return {
    async start() {
      ctx ??= new AudioCtx();
      if (ctx.state === 'suspended') {
        // Without a gesture this stays pending forever in some browsers: do not wait on it.
        await Promise.race([ctx.resume().catch(() => undefined), new Promise((r) => setTimeout(r, 200))]);
      }
      if (ctx.state !== 'running') return false;
      if (timer === null) {
        const c = ctx;
        burst(c);
        timer = setInterval(() => burst(c), LOOP_MS);
      }
      return true;
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}

import { create } from 'zustand';
import { systemClock } from '../../../shared/clock';
import { useSyncStore } from './sync';

interface ClockState {
  /** Local wall clock, refreshed once a second; components add the server offset. */
  localNow: number;
  tick(): void;
}

export const useClockStore = create<ClockState>()((set) => ({
  localNow: systemClock.now(),
  tick: () => set({ localNow: systemClock.now() }),
}));

/**
 * One interval for the whole page: every "3m ago" and countdown re-renders from the same tick,
 * so neighbouring rows never disagree by a second.
 */
export function startClock(): () => void {
  const handle = setInterval(() => useClockStore.getState().tick(), 1000);
  return () => clearInterval(handle);
}

/** "Now" on the collector's clock, ticking every second. */
export function useServerNow(): number {
  const local = useClockStore((s) => s.localNow);
  const offset = useSyncStore((s) => s.status?.serverOffsetMs ?? 0);
  return local + offset;
}

/** The same, read once outside React (e.g. to compute a snooze deadline). */
export function serverNow(): number {
  return systemClock.now() + (useSyncStore.getState().status?.serverOffsetMs ?? 0);
}

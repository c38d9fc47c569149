import { create } from 'zustand';
import type { Alert, Silence } from '../../../shared/protocol';

export interface SilencesState {
  /** As `silences.list` answers: synced from the collector plus those still in the outbox. */
  silences: Silence[];
  loaded: boolean;
  error: string | null;
  /** Silences this page asked to expire, by silence id → the expire command's id (to show it pending). */
  expiring: ReadonlyMap<string, string>;
  /** The alert the "Silence alerts like this…" dialog was opened from, while it is open. */
  dialogFor: Alert | null;
  setSilences(silences: Silence[]): void;
  setError(message: string | null): void;
  markExpiring(silenceId: string, commandId: string): void;
  openDialog(alert: Alert | null): void;
}

export const useSilencesStore = create<SilencesState>()((set) => ({
  silences: [],
  loaded: false,
  error: null,
  expiring: new Map(),
  dialogFor: null,
  setSilences: (silences) => set({ silences, loaded: true, error: null }),
  setError: (error) => set({ error }),
  markExpiring: (silenceId, commandId) => set((s) => ({ expiring: new Map(s.expiring).set(silenceId, commandId) })),
  openDialog: (dialogFor) => set({ dialogFor }),
}));

import { create } from 'zustand';
import type { CachedRotation, RotationChange } from '../../../shared/protocol';

export interface RotationState {
  /** The rotation as the desktop cached it (null before the first fetch). */
  cached: CachedRotation | null;
  /** This desktop's rotation commands not applied yet (pending or refused). */
  changes: RotationChange[];
  loaded: boolean;
  error: string | null;
  setCached(cached: CachedRotation | null): void;
  setChanges(changes: RotationChange[]): void;
  setError(message: string | null): void;
}

export const useRotationStore = create<RotationState>()((set) => ({
  cached: null,
  changes: [],
  loaded: false,
  error: null,
  setCached: (cached) => set({ cached, loaded: true, error: null }),
  setChanges: (changes) => set({ changes }),
  setError: (error) => set({ error, loaded: true }),
}));

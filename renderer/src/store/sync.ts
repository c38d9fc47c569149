import { create } from 'zustand';
import type { SyncStatus } from '../../../shared/protocol';
import type { TransportState } from '../lib/connection';

export interface SyncState {
  /** The desktop's link to the collector, as the main process reports it. */
  status: SyncStatus | null;
  /** The page's link to the main process / headless host. */
  transport: TransportState;
  setStatus(status: SyncStatus): void;
  setTransport(transport: TransportState): void;
}

export const useSyncStore = create<SyncState>()((set) => ({
  status: null,
  transport: { kind: 'connecting' },
  setStatus: (status) => set({ status }),
  setTransport: (transport) => set({ transport }),
}));

/** Whether commands go straight to the collector (vs. waiting in the outbox). */
export function isOnline(s: Pick<SyncState, 'status' | 'transport'>): boolean {
  return s.transport.kind === 'ready' && s.status?.state === 'connected';
}

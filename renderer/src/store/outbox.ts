import { create } from 'zustand';
import type { OutboxItem } from '../../../shared/protocol';
import { upsertOutboxItem } from '../lib/outbox';

export interface SendError {
  /** `targetKey(...)` of the alert or incident, or `silences` for silence commands. */
  key: string;
  text: string;
}

export interface OutboxState {
  items: OutboxItem[];
  /** Outbox items whose notice the user closed (conflicts stay until read). */
  dismissed: ReadonlySet<string>;
  /** A command the Api refused outright (never reached the outbox), per target. */
  sendError: SendError | null;
  setItems(items: OutboxItem[]): void;
  upsert(item: OutboxItem): void;
  /** Shows a just-sent command as queued until its first outbox push arrives. */
  addProvisional(item: OutboxItem): void;
  dismiss(id: string): void;
  setSendError(error: SendError | null): void;
}

export const useOutboxStore = create<OutboxState>()((set) => ({
  items: [],
  dismissed: new Set(),
  sendError: null,
  // A full list is fetched after every (re)connect and replaces what we had; pushes then correct it.
  setItems: (items) => set({ items: items.reduce<OutboxItem[]>((acc, i) => upsertOutboxItem(acc, i), []) }),
  upsert: (item) => set((s) => ({ items: upsertOutboxItem(s.items, item) })),
  // The push for a new command can beat the call's own reply; never let the guess overwrite it.
  addProvisional: (item) =>
    set((s) => (s.items.some((i) => i.id === item.id) ? s : { items: upsertOutboxItem(s.items, item) })),
  dismiss: (id) => set((s) => ({ dismissed: new Set([...s.dismissed, id]) })),
  setSendError: (sendError) => set({ sendError }),
}));

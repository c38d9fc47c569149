import { create } from 'zustand';
import type { Alert, AlertDetail } from '../../../shared/protocol';
import { filterByView, moveCursor, sortNewestFirst, type InboxView } from '../lib/alerts';

export type DetailState = 'idle' | 'loading' | 'ready' | 'missing' | 'error';

export interface AlertsState {
  /** Every alert the cache holds, newest first. */
  alerts: Alert[];
  loaded: boolean;
  listError: string | null;
  view: InboxView;
  /** The row the keyboard cursor is on (j/k). */
  cursorId: string | null;
  /** The alert shown in the detail pane (click or Enter). */
  openId: string | null;
  detail: AlertDetail | null;
  detailState: DetailState;
  detailError: string | null;

  setAlerts(alerts: Alert[]): void;
  setListError(message: string | null): void;
  setView(view: InboxView): void;
  moveCursor(delta: number): void;
  open(id: string | null): void;
  setDetail(id: string, detail: AlertDetail | null): void;
  setDetailError(id: string, message: string): void;
}

/** The rows the inbox shows right now, in order. */
export function visibleAlerts(s: Pick<AlertsState, 'alerts' | 'view'>): Alert[] {
  return filterByView(s.alerts, s.view);
}

export const useAlertsStore = create<AlertsState>()((set, get) => ({
  alerts: [],
  loaded: false,
  listError: null,
  view: 'open',
  cursorId: null,
  openId: null,
  detail: null,
  detailState: 'idle',
  detailError: null,

  setAlerts: (alerts) => set({ alerts: sortNewestFirst(alerts), loaded: true, listError: null }),
  setListError: (listError) => set({ listError }),
  setView: (view) => set({ view }),
  moveCursor: (delta) => {
    const ids = visibleAlerts(get()).map((a) => a.id);
    set({ cursorId: moveCursor(ids, get().cursorId, delta) });
  },
  open: (id) => {
    if (id === null) {
      set({ openId: null, detail: null, detailState: 'idle', detailError: null });
      return;
    }
    // Keep showing the old detail only if it is the same alert (a refresh), never a stale other one.
    const same = get().detail?.alert.id === id;
    set({
      openId: id,
      cursorId: id,
      detail: same ? get().detail : null,
      detailState: same ? 'ready' : 'loading',
      detailError: null,
    });
  },
  setDetail: (id, detail) => {
    if (get().openId !== id) return; // an answer for an alert the user already left
    set({ detail, detailState: detail ? 'ready' : 'missing', detailError: null });
  },
  setDetailError: (id, message) => {
    if (get().openId !== id) return;
    set({ detailState: get().detail ? 'ready' : 'error', detailError: message });
  },
}));

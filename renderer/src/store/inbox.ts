import { create } from 'zustand';
import type { AlertDetail, Incident, IncidentDetail } from '../../../shared/protocol';
import { moveCursor, type InboxView } from '../lib/alerts';
import {
  filterIncidents,
  inboxItems,
  incidentKey,
  itemKeys,
  sortByUrgency,
  type InboxItem,
  type MembersEntry,
} from '../lib/incidents';

export type DetailState = 'idle' | 'loading' | 'ready' | 'missing' | 'error';

/** What the detail pane shows: an incident (its actions, members, merged timeline) or one alert. */
export type OpenTarget = { kind: 'incident'; id: string } | { kind: 'alert'; id: string };

/** An incident's `incidents.get` answer as held for expanded rows and the incident pane. */
export interface IncidentEntry extends MembersEntry {
  detail: IncidentDetail | null;
}

export interface InboxState {
  /** Every incident the cache holds, most urgent first. */
  incidents: Incident[];
  loaded: boolean;
  listError: string | null;
  view: InboxView;
  /** The row the keyboard cursor is on: an incident's key or one of its expanded members'. */
  cursor: string | null;
  /** Incidents whose members are shown in place. */
  expanded: ReadonlySet<string>;
  /** `incidents.get` answers, for expanded and open incidents. */
  details: Readonly<Record<string, IncidentEntry | undefined>>;
  open: OpenTarget | null;
  /** The open alert's detail (`alerts.get`), when an alert is open. */
  alertDetail: AlertDetail | null;
  alertState: DetailState;
  alertError: string | null;

  setIncidents(incidents: Incident[]): void;
  setListError(message: string | null): void;
  setView(view: InboxView): void;
  moveCursor(delta: number): void;
  setCursor(key: string | null): void;
  /** Expands (true), collapses (false) or toggles an incident's members. */
  setExpanded(id: string, expanded?: boolean): void;
  openIncident(id: string): void;
  openAlert(id: string): void;
  close(): void;
  startIncidentLoad(id: string): void;
  setIncidentDetail(id: string, detail: IncidentDetail | null): void;
  setIncidentError(id: string, message: string): void;
  setAlertDetail(id: string, detail: AlertDetail | null): void;
  setAlertError(id: string, message: string): void;
}

/** The rows the inbox shows right now, in order (incidents and expanded members). */
export function visibleItems(s: Pick<InboxState, 'incidents' | 'view' | 'expanded' | 'details'>): InboxItem[] {
  return inboxItems(filterIncidents(s.incidents, s.view), s.expanded, s.details);
}

/** Incidents whose detail the page wants kept fresh: every expanded one and the open one. */
export function wantedIncidents(s: Pick<InboxState, 'expanded' | 'open'>): Set<string> {
  const ids = new Set(s.expanded);
  if (s.open?.kind === 'incident') ids.add(s.open.id);
  return ids;
}

export const useInboxStore = create<InboxState>()((set, get) => ({
  incidents: [],
  loaded: false,
  listError: null,
  view: 'open',
  cursor: null,
  expanded: new Set(),
  details: {},
  open: null,
  alertDetail: null,
  alertState: 'idle',
  alertError: null,

  setIncidents: (incidents) => set({ incidents: sortByUrgency(incidents), loaded: true, listError: null }),
  setListError: (listError) => set({ listError }),
  setView: (view) => set({ view }),
  moveCursor: (delta) => set({ cursor: moveCursor(itemKeys(visibleItems(get())), get().cursor, delta) }),
  setCursor: (cursor) => set({ cursor }),
  setExpanded: (id, expanded) => {
    const was = get().expanded.has(id);
    const want = expanded ?? !was;
    if (want === was) return;
    const next = new Set(get().expanded);
    if (want) next.add(id);
    else next.delete(id);
    // Collapsing under the cursor moves the cursor to the incident itself, never into thin air.
    const cursor = get().cursor;
    const strand = !want && cursor !== null && cursor.startsWith(`a:${id}:`);
    set({ expanded: next, ...(strand ? { cursor: incidentKey(id) } : {}) });
  },
  openIncident: (id) => set({ open: { kind: 'incident', id }, cursor: incidentKey(id) }),
  openAlert: (id) => {
    // Keep showing the old detail only if it is the same alert (a refresh), never a stale other one.
    const same = get().alertDetail?.alert.id === id;
    set({
      open: { kind: 'alert', id },
      alertDetail: same ? get().alertDetail : null,
      alertState: same ? 'ready' : 'loading',
      alertError: null,
    });
  },
  close: () => set({ open: null, alertDetail: null, alertState: 'idle', alertError: null }),
  startIncidentLoad: (id) =>
    set((s) => {
      const prev = s.details[id];
      return { details: { ...s.details, [id]: { state: 'loading', detail: prev?.detail ?? null } } };
    }),
  setIncidentDetail: (id, detail) =>
    set((s) => ({ details: { ...s.details, [id]: { state: detail ? 'ready' : 'missing', detail } } })),
  setIncidentError: (id, message) =>
    set((s) => {
      const prev = s.details[id];
      return { details: { ...s.details, [id]: { state: 'error', detail: prev?.detail ?? null, error: message } } };
    }),
  setAlertDetail: (id, detail) => {
    const open = get().open;
    if (open?.kind !== 'alert' || open.id !== id) return; // an answer for an alert the user already left
    set({ alertDetail: detail, alertState: detail ? 'ready' : 'missing', alertError: null });
  },
  setAlertError: (id, message) => {
    const open = get().open;
    if (open?.kind !== 'alert' || open.id !== id) return;
    set({ alertState: get().alertDetail ? 'ready' : 'error', alertError: message });
  },
}));

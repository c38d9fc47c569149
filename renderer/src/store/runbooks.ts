import { create } from 'zustand';
import type { RunbookHit, RunbookSummary } from '../../../shared/runbooks/schema';

/** The Runbooks view: the list, the search box and its hits, and which runbook is open. */
export interface RunbooksState {
  list: RunbookSummary[];
  query: string;
  hits: RunbookHit[];
  openId: string | null;
  error: string | null;
  setList(list: RunbookSummary[]): void;
  setQuery(query: string): void;
  setHits(query: string, hits: RunbookHit[]): void;
  open(id: string | null): void;
  setError(error: string | null): void;
}

export const useRunbooksStore = create<RunbooksState>()((set, get) => ({
  list: [],
  query: '',
  hits: [],
  openId: null,
  error: null,
  setList: (list) => set({ list }),
  setQuery: (query) => set({ query }),
  setHits: (query, hits) => {
    if (get().query !== query) return; // an answer for a query already replaced
    set({ hits, error: null });
  },
  open: (openId) => set({ openId }),
  setError: (error) => set({ error }),
}));

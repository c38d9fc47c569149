import { create } from 'zustand';
import type { DemoState, SettingsView } from '../../../shared/protocol';

/** The desktop's settings as main reports them (`settings.get` / `settings-changed`) and the Demo menu's state. */
interface SettingsStore {
  view: SettingsView | null;
  demo: DemoState | null;
  setView(view: SettingsView): void;
  setDemo(demo: DemoState): void;
}

export const useSettingsStore = create<SettingsStore>()((set) => ({
  view: null,
  demo: null,
  setView: (view) => set({ view }),
  setDemo: (demo) => set({ demo }),
}));

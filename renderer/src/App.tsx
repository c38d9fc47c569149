import { useState } from 'react';
import { AlarmSound } from './components/AlarmSound';
import { ChartsView } from './components/charts/ChartsView';
import { DetailPane } from './components/DetailPane';
import { Escalations } from './components/Escalations';
import { RingingBanner } from './components/RingingBanner';
import { HealthView } from './components/health/HealthView';
import { PulsePrompt } from './components/health/PulsePrompt';
import { RotationView } from './components/rotation/RotationView';
import { RunbooksView } from './components/runbooks/RunbooksView';
import { Inbox } from './components/Inbox';
import { SilenceDialogHost } from './components/SilenceDialog';
import { SilencesView } from './components/SilencesView';
import { SettingsView } from './components/settings/SettingsView';
import { TopBar } from './components/TopBar';
import { ActionItemCompletion } from './components/postmortems/ActionItemSummary';
import { ActionItemsView } from './components/postmortems/ActionItemsView';
import { ReviewView } from './components/postmortems/ReviewView';
import { useInboxKeys } from './hooks/useInboxKeys';
import { useInboxStore } from './store/inbox';
import { useSyncStore } from './store/sync';

/** Shown instead of the workspace when the page was opened without its bridge token. */
function NoToken() {
  return (
    <main className="fatal" data-testid="no-token">
      <h1>This page needs its access token</h1>
      <p>
        Vigil&apos;s local host only answers pages that carry the token it generated. Open the exact address it printed
        in the terminal: it ends with <code>#token=…</code>.
      </p>
    </main>
  );
}

function Workspace() {
  useInboxKeys();
  return (
    <main className="workspace">
      <Inbox />
      <DetailPane />
    </main>
  );
}

type View =
  | 'inbox'
  | 'escalations'
  | 'rotation'
  | 'silences'
  | 'charts'
  | 'runbooks'
  | 'health'
  | 'action-items'
  | 'review'
  | 'settings';
const VIEWS: { id: View; label: string }[] = [
  { id: 'inbox', label: 'Inbox' },
  { id: 'escalations', label: 'Escalations' },
  { id: 'rotation', label: 'Rotation' },
  { id: 'silences', label: 'Silences' },
  { id: 'charts', label: 'Charts' },
  { id: 'runbooks', label: 'Runbooks' },
  { id: 'health', label: 'Health' },
  { id: 'action-items', label: 'Action items' },
  { id: 'review', label: 'Review' },
  { id: 'settings', label: 'Settings' },
];

/** The views under the top bar; only the open one is mounted (its keys and polling stop when hidden). */
function Views() {
  const [view, setView] = useState<View>('inbox');
  return (
    <div className="views">
      <nav className="viewnav" aria-label="Views">
        <div className="tabs" role="tablist">
          {VIEWS.map((v) => (
            <button
              key={v.id}
              type="button"
              role="tab"
              className="tab"
              aria-selected={view === v.id}
              data-testid={`nav-${v.id}`}
              onClick={() => setView(v.id)}
            >
              {v.label}
            </button>
          ))}
        </div>
      </nav>
      <RingingBanner onShow={() => setView('inbox')} />
      <PulsePrompt />
      {view === 'inbox' && <Workspace />}
      {view === 'escalations' && (
        <Escalations
          onOpen={(id) => {
            useInboxStore.getState().openIncident(id);
            setView('inbox');
          }}
        />
      )}
      {view === 'rotation' && <RotationView />}
      {view === 'silences' && <SilencesView />}
      {view === 'charts' && (
        <ChartsView
          onOpenIncident={(id) => {
            useInboxStore.getState().openIncident(id);
            setView('inbox');
          }}
        />
      )}
      {view === 'runbooks' && <RunbooksView />}
      {view === 'health' && <HealthView actionItems={<ActionItemCompletion />} />}
      {view === 'action-items' && <ActionItemsView />}
      {view === 'review' && <ReviewView />}
      {view === 'settings' && <SettingsView />}
    </div>
  );
}

export function App() {
  const noToken = useSyncStore((s) => s.transport.kind === 'no-token');
  return (
    <div className="app">
      <TopBar />
      <AlarmSound />
      {noToken ? <NoToken /> : <Views />}
      <SilenceDialogHost />
    </div>
  );
}

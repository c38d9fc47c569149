import { AlertDetailPane } from './components/AlertDetail';
import { Inbox } from './components/Inbox';
import { TopBar } from './components/TopBar';
import { useInboxKeys } from './hooks/useInboxKeys';
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
      <AlertDetailPane />
    </main>
  );
}

export function App() {
  const noToken = useSyncStore((s) => s.transport.kind === 'no-token');
  return (
    <div className="app">
      <TopBar />
      {noToken ? <NoToken /> : <Workspace />}
    </div>
  );
}

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext } from './api/context';
import { createTransport } from './api/transport';
import { App } from './App';
import { startClock } from './store/clock';
import { startSession } from './store/session';
import './styles/theme.css';
import './styles/app.css';

// The link and the session live outside React: StrictMode mounts effects twice in development,
// and a second WebSocket or a doubled push subscription would be a real bug, not a dev artefact.
const transport = createTransport(window);
startSession(transport);
startClock();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <ApiContext.Provider value={transport.api}>
      <App />
    </ApiContext.Provider>
  </StrictMode>,
);

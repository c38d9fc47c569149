import { useState } from 'react';
import type { DemoScenarioSwitch } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { useSettingsStore } from '../../store/settings';
import './settings.css';

/**
 * The Demo menu (issue 16): switches the bundled simulator's scenarios on and off, live
 * (`demo.setScenario`). Shown only while a bundled simulator runs (web and desktop alike).
 */
export function DemoMenu() {
  const api = useApi();
  const demo = useSettingsStore((s) => s.demo);
  const setDemo = useSettingsStore((s) => s.setDemo);
  const [error, setError] = useState<string | null>(null);
  if (!demo?.available) return null;
  const flip = (change: DemoScenarioSwitch): void => {
    setError(null);
    void api.call('demo.setScenario', change).then(setDemo, (err: unknown) => setError(errorMessage(err)));
  };
  const on = demo.scenarios.filter((s) => s.active).length;
  return (
    <details className="demo-menu" data-testid="demo-menu">
      <summary className="btn" title="Switch simulated incidents on and off">
        Demo{on > 0 ? ` · ${on} on` : ''}
      </summary>
      <div className="demo-panel" role="group" aria-label="Simulator scenarios">
        <p className="muted settings-hint">Simulated incidents in the demo traffic. A page takes a minute or two.</p>
        {demo.scenarios.map((s) => (
          <label key={s.name} className="demo-item">
            <input
              type="checkbox"
              checked={s.active}
              data-testid={`demo-scenario-${s.name}`}
              onChange={(e) => flip({ name: s.name, on: e.target.checked })}
            />
            <span>{s.name}</span>
            <small>{s.description}</small>
          </label>
        ))}
        {error && <p className="notice notice-failed">{error}</p>}
      </div>
    </details>
  );
}

import { useState, type FormEvent, type ReactNode } from 'react';
import {
  RING_INTERVAL_MAX_S,
  RING_INTERVAL_MIN_S,
  type SettingsPatch,
  type SettingsView as View,
} from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { ringIntervalText, rosterChoices } from '../../lib/settings';
import { useRotationStore } from '../../store/rotation';
import { useSettingsStore } from '../../store/settings';
import './settings.css';

const OTHER = '__other__';

/** One labelled block of the settings page. */
function Section({ title, hint, children }: { title: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <section className="settings-section">
      <h2 className="section-title">{title}</h2>
      {hint && <p className="muted settings-hint">{hint}</p>}
      {children}
    </section>
  );
}

/**
 * Settings (issue 16): who I am, which collector, how the alarm rings. Every change goes through
 * `settings.update`, which validates, stores and applies it at once (the services rebind); a
 * refusal is shown as the host words it, naming the field.
 */
export function SettingsView() {
  const api = useApi();
  const view = useSettingsStore((s) => s.view);
  const setView = useSettingsStore((s) => s.setView);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const apply = async (patch: SettingsPatch, what: string): Promise<boolean> => {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      setView(await api.call('settings.update', patch));
      setSaved(`${what} saved and applied.`);
      return true;
    } catch (err) {
      setError(errorMessage(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  if (!view) {
    return (
      <div className="settings" data-testid="settings-view">
        <p className="muted">Loading the settings…</p>
      </div>
    );
  }
  return (
    <div className="settings" data-testid="settings-view">
      <h1 className="settings-title">Settings</h1>
      {error && (
        <p className="notice notice-failed" role="alert" data-testid="settings-error">
          {error}
        </p>
      )}
      {saved && !error && (
        <p className="notice" data-testid="settings-saved">
          {saved}
        </p>
      )}
      <div className="settings-grid">
        <UserSection view={view} busy={busy} apply={apply} />
        <CollectorSection view={view} busy={busy} apply={apply} />
        <AlarmSection view={view} busy={busy} apply={apply} />
        <LoginSection view={view} busy={busy} apply={apply} />
      </div>
    </div>
  );
}

interface SectionProps {
  view: View;
  busy: boolean;
  apply(patch: SettingsPatch, what: string): Promise<boolean>;
}

function UserSection({ view, busy, apply }: SectionProps) {
  const rotation = useRotationStore((s) => s.cached);
  const choices = rosterChoices(rotation, view.user);
  const [pick, setPick] = useState(view.user);
  const [typed, setTyped] = useState('');
  const name = pick === OTHER ? typed.trim() : pick;
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void apply({ user: name }, 'Who you are');
  };
  return (
    <Section
      title="Who I am"
      hint={
        <>
          Pages for this name ring here. Now: <strong data-testid="settings-current-user">{view.user}</strong>
          {view.overriddenBy.user && <> (from {view.overriddenBy.user} until you change it here)</>}
        </>
      }
    >
      <form className="settings-row" onSubmit={submit}>
        <select
          className="input"
          aria-label="Who I am"
          data-testid="settings-user-select"
          value={pick}
          onChange={(e) => setPick(e.target.value)}
        >
          {choices.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
          <option value={OTHER}>Someone else…</option>
        </select>
        {pick === OTHER && (
          <input
            className="input"
            aria-label="User name"
            data-testid="settings-user-input"
            value={typed}
            maxLength={200}
            onChange={(e) => setTyped(e.target.value)}
          />
        )}
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="settings-user-save"
          disabled={busy || name === '' || name === view.user}
        >
          Switch
        </button>
      </form>
    </Section>
  );
}

function CollectorSection({ view, busy, apply }: SectionProps) {
  const current = view.settings.collector;
  const [mode, setMode] = useState(current.mode);
  const [url, setUrl] = useState(current.mode === 'team' ? current.url : '');
  const [token, setToken] = useState('');
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    const patch: SettingsPatch =
      mode === 'bundled'
        ? { collector: { mode } }
        : { collector: { mode, url: url.trim(), ...(token.trim() ? { token: token.trim() } : {}) } };
    void apply(patch, 'The collector').then((ok) => ok && setToken(''));
  };
  return (
    <Section
      title="Collector"
      hint={
        <>
          Connected to <code data-testid="settings-collector-url">{view.collectorUrl}</code>
          {view.overriddenBy.collector && <> (from {view.overriddenBy.collector})</>}
        </>
      }
    >
      <form className="settings-stack" onSubmit={submit}>
        <label className="settings-check">
          <input
            type="radio"
            name="collector-mode"
            checked={mode === 'bundled'}
            data-testid="settings-collector-bundled"
            onChange={() => setMode('bundled')}
          />
          Bundled: this app&apos;s own collector, with simulated traffic
        </label>
        <label className="settings-check">
          <input
            type="radio"
            name="collector-mode"
            checked={mode === 'team'}
            data-testid="settings-collector-team"
            onChange={() => setMode('team')}
          />
          A team collector
        </label>
        {mode === 'team' && (
          <div className="settings-row">
            <input
              className="input"
              aria-label="Collector URL"
              placeholder="https://vigil.example.com"
              data-testid="settings-collector-url-input"
              value={url}
              maxLength={2000}
              onChange={(e) => setUrl(e.target.value)}
            />
            <input
              className="input"
              type="password"
              aria-label="Token"
              autoComplete="off"
              placeholder={view.teamTokenStored ? 'token stored (leave empty to keep)' : 'token'}
              data-testid="settings-collector-token"
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </div>
        )}
        <div>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="settings-collector-save">
            Connect
          </button>
        </div>
      </form>
    </Section>
  );
}

function AlarmSection({ view, busy, apply }: SectionProps) {
  const api = useApi();
  const { ringIntervalSec, sound } = view.settings;
  const [interval, setIntervalText] = useState(String(ringIntervalSec));
  const [test, setTest] = useState<string | null>(null);
  // The slider moves locally; the volume is stored once it is let go (not once per pixel).
  const [volume, setVolume] = useState(sound.volume);
  const commitVolume = (): void => {
    if (volume !== sound.volume) void apply({ sound: { volume } }, 'Volume');
  };
  return (
    <Section
      title="Alarm"
      hint={`A page for you rings again every ${ringIntervalText(ringIntervalSec)} until acknowledged.`}
    >
      <form
        className="settings-row"
        onSubmit={(e) => {
          e.preventDefault();
          void apply({ ringIntervalSec: Number(interval) }, 'The ring interval');
        }}
      >
        <label className="settings-inline">
          Ring every
          <input
            className="input settings-number"
            type="number"
            min={RING_INTERVAL_MIN_S}
            max={RING_INTERVAL_MAX_S}
            data-testid="settings-ring-interval"
            value={interval}
            onChange={(e) => setIntervalText(e.target.value)}
          />
          s
        </label>
        <button type="submit" className="btn" disabled={busy || Number(interval) === ringIntervalSec}>
          Save
        </button>
      </form>
      <div className="settings-row">
        <label className="settings-check">
          <input
            type="checkbox"
            checked={sound.enabled}
            data-testid="settings-sound"
            disabled={busy}
            onChange={(e) => void apply({ sound: { enabled: e.target.checked } }, 'Sound')}
          />
          Alarm sound
        </label>
        <label className="settings-inline">
          Volume
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={volume}
            disabled={busy || !sound.enabled}
            data-testid="settings-volume"
            onChange={(e) => setVolume(Number(e.target.value))}
            onPointerUp={commitVolume}
            onKeyUp={commitVolume}
            onBlur={commitVolume}
          />
        </label>
      </div>
      <div className="settings-row">
        <button
          type="button"
          className="btn"
          data-testid="settings-test-notification"
          onClick={() =>
            void api.call('settings.testNotification', {}).then(
              (r) => setTest(r.message),
              (err: unknown) => setTest(errorMessage(err)),
            )
          }
        >
          Send a test notification
        </button>
        {test && (
          <span className="muted" data-testid="settings-test-result">
            {test}
          </span>
        )}
      </div>
    </Section>
  );
}

function LoginSection({ view, busy, apply }: SectionProps) {
  const cap = view.launchAtLogin;
  return (
    <Section title="Start" hint={cap.available ? undefined : cap.reason}>
      <label className="settings-check">
        <input
          type="checkbox"
          checked={view.settings.launchAtLogin}
          disabled={busy || !cap.available}
          data-testid="settings-launch-at-login"
          onChange={(e) => void apply({ launchAtLogin: e.target.checked }, 'Launch at login')}
        />
        Launch Vigil when I log in
      </label>
    </Section>
  );
}

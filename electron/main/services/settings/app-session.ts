import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { toIso, systemClock } from '../../../../shared/clock.js';
import { ApiRefusal } from '../../../../shared/api/handlers.js';
import type { ApiPush, ApiReply } from '../../../../shared/protocol/api.js';
import type {
  Settings,
  SettingsPatch,
  SettingsView,
  TestNotificationResult,
} from '../../../../shared/protocol/settings.js';
import { createAppServices, type AppServices, type AppServicesOptions } from '../app-services.js';
import { Listeners, stderrLogger, type Logger } from '../runtime.js';
import { headlessLoginItem, type LoginItem } from './login-item.js';
import { collectorTokenKey, type SecretStore } from './secret-store.js';
import { parseSettings, SettingsError, type SettingsStore } from './settings-store.js';
import type { DemoSource, SettingsSource } from './sources.js';

/** Where the bundled collector listens and its token (the demo starts it on first use). */
export interface BundledCollector {
  url: string;
  token: string;
}

/** A value given on the command line or in the environment: it wins over the setting for this run. */
export interface Override<T> {
  value: T;
  /** What set it, shown in the settings view (`--user`, `VIGIL_COLLECTOR_URL`). */
  by: string;
}

export interface AppSessionOptions {
  /** Holds settings.json, secrets and the caches (the bundled collector's in the dir itself). */
  dataDir: string;
  /** Who this desktop is when neither a flag nor a setting says (the OS user). */
  defaultUser: string;
  store: SettingsStore;
  secrets: SecretStore;
  /** Launch at login; absent: the headless host's (unavailable, with the reason). */
  loginItem?: LoginItem;
  /** Starts the bundled collector on first use (memoised by the caller); absent: bundled mode is refused. */
  bundled?: (user: string) => Promise<BundledCollector>;
  /** The bundled simulator's scenarios (the Demo menu). */
  demo?: DemoSource;
  /** Command-line values for this run; dropped once the same setting is changed in the app. */
  overrides?: {
    user?: Override<string>;
    collector?: Override<{ url: string; token: string }>;
    /** The bundled collector whatever Settings say (`--demo`). */
    bundled?: Override<true>;
  };
  /** Passed to every createAppServices (test knobs: notifier, timers, shift notices…). */
  services?: Omit<
    AppServicesOptions,
    'collectorUrl' | 'collectorToken' | 'user' | 'dataDir' | 'settings' | 'demo' | 'log'
  >;
  log?: Logger;
}

/** What the services are bound to; a change of any field rebinds them. */
interface Binding {
  user: string;
  collectorUrl: string;
  token: string;
  cacheDir: string;
  ringMs: number;
  /** Bound to the bundled collector (which may move to another port: `bundledMoved`). */
  bundled?: true;
}

/** Caches of team collectors chosen in the settings: one per collector, so switching back is instant. */
export const COLLECTOR_CACHES_DIR = 'collectors';
const MS_PER_S = 1_000;

/** The cache dir of a team collector chosen in the settings (by a hash of its URL: no path tricks). */
export function teamCacheDir(dataDir: string, url: string): string {
  return join(dataDir, COLLECTOR_CACHES_DIR, createHash('sha256').update(url).digest('hex').slice(0, 16));
}

/**
 * The desktop's services as the settings say (issue 16): owns settings.json and the secret store,
 * creates the services for the current user and collector, and REBINDS them when a change needs
 * it (who I am, the collector, the ring interval), without a restart. The renderer talks to this
 * object (`handle` / `onPush`), which stays the same across rebinds: Electron's IPC and the
 * headless bridge are wired once. After a rebind every view is told to re-read (pushes with empty
 * id lists, the new status and alarm), so the ring and "pages for you" follow at once.
 */
export class AppSession implements SettingsSource {
  private readonly log: Logger;
  private readonly pushes = new Listeners<ApiPush>();
  private readonly rebound = new Listeners<AppServices>();
  private readonly loginItem: LoginItem;
  private settings: Settings;
  private overrides: NonNullable<AppSessionOptions['overrides']>;
  private current: { services: AppServices; binding: Binding; stopPushes: () => void } | null = null;
  /** Changes apply one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(private readonly opts: AppSessionOptions) {
    this.log = opts.log ?? stderrLogger;
    this.loginItem = opts.loginItem ?? headlessLoginItem;
    this.settings = opts.store.load();
    this.overrides = { ...opts.overrides };
  }

  /** Binds the services for the first time and starts them. */
  async start(): Promise<AppServices> {
    if (this.disposed) throw disposedError();
    let binding: Binding;
    try {
      binding = await this.resolve(this.settings, undefined);
    } catch (err) {
      if (this.disposed) throw disposedError();
      // A stored team collector without its token (secrets lost, or a new OS keychain): the app
      // must still open, on the bundled collector, where Settings can fix it.
      if (this.settings.collector.mode !== 'team' || !this.opts.bundled) throw err;
      this.log.warn(`settings: ${(err as Error).message}; using the bundled collector`);
      this.settings = { ...this.settings, collector: { mode: 'bundled' } };
      binding = await this.resolve(this.settings, undefined);
    }
    // dispose() ran while the bundled collector was starting: bind nothing (the services would
    // outlive the session, their sockets and timers keeping a quitting app alive).
    if (this.disposed) throw disposedError();
    this.bind(binding);
    return this.services;
  }

  get services(): AppServices {
    if (!this.current) throw new Error('the session is not started');
    return this.current.services;
  }

  /** The Api the renderer talks to (IPC or the headless bridge); the same object across rebinds. */
  handle(call: unknown): Promise<ApiReply> {
    if (this.disposed) {
      return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'shutting down' } });
    }
    if (!this.current) {
      return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'starting' } });
    }
    return this.current.services.api.handle(call);
  }

  onPush(listener: (push: ApiPush) => void): () => void {
    return this.pushes.on(listener);
  }

  /** Hears each new set of services (Electron main rewires its tray and window alarm). */
  onServices(listener: (services: AppServices) => void): () => void {
    return this.rebound.on(listener);
  }

  get(): SettingsView {
    const binding = this.current?.binding;
    const overriddenBy: SettingsView['overriddenBy'] = {};
    if (this.overrides.user) overriddenBy.user = this.overrides.user.by;
    const collectorBy = this.overrides.collector?.by ?? this.overrides.bundled?.by;
    if (collectorBy) overriddenBy.collector = collectorBy;
    const team = this.settings.collector.mode === 'team' ? this.settings.collector.url : undefined;
    return {
      settings: this.settings,
      user: binding?.user ?? this.effectiveUser(this.settings),
      collectorUrl: binding?.collectorUrl ?? '',
      teamTokenStored: team !== undefined && this.opts.secrets.get(collectorTokenKey(team)) !== undefined,
      launchAtLogin: this.loginItem.capability(),
      overriddenBy,
    };
  }

  update(patch: SettingsPatch): Promise<SettingsView> {
    const run = this.queue.then(() => this.apply(patch));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * The bundled collector came back on another port (its old one was taken while it was down):
   * the services follow it, or they would keep sending its token to whoever holds the old port.
   */
  bundledMoved(url: string): Promise<void> {
    const run = this.queue.then(() => {
      const b = this.current?.binding;
      if (this.disposed || !b?.bundled || b.collectorUrl === url) return;
      this.log.warn(`settings: the bundled collector moved to ${url}; rebinding`);
      this.bind({ ...b, collectorUrl: url });
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async testNotification(): Promise<TestNotificationResult> {
    const result = await this.services.notifier.notify({
      id: 'vigil:test',
      title: 'Vigil: test notification',
      body: `This is how a page for ${this.get().user} looks. Nothing is on fire.`,
      loud: true,
      acknowledgeAction: false,
    });
    return result.ok
      ? { ok: true, message: 'Sent: it should be on your screen now.' }
      : { ok: false, message: `The notification could not be shown: ${result.error}` };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.unbind();
    this.pushes.clear();
    this.rebound.clear();
  }

  private async apply(patch: SettingsPatch): Promise<SettingsView> {
    if (this.disposed) throw new ApiRefusal({ code: 'unavailable', message: 'shutting down' });
    const token = patch.collector?.mode === 'team' ? patch.collector.token : undefined;
    const collector = patch.collector?.mode === 'team' ? { mode: 'team', url: patch.collector.url } : patch.collector;
    let next: Settings;
    try {
      next = parseSettings({
        ...this.settings,
        ...(patch.user !== undefined ? { user: patch.user } : {}),
        ...(patch.collector ? { collector } : {}),
        ...(patch.ringIntervalSec !== undefined ? { ringIntervalSec: patch.ringIntervalSec } : {}),
        ...(patch.sound ? { sound: { ...this.settings.sound, ...patch.sound } } : {}),
        ...(patch.launchAtLogin !== undefined ? { launchAtLogin: patch.launchAtLogin } : {}),
      });
    } catch (err) {
      if (err instanceof SettingsError) throw refusal(err.field, err.detail);
      throw err;
    }
    if (patch.launchAtLogin !== undefined && patch.launchAtLogin !== this.settings.launchAtLogin) {
      const cap = this.loginItem.capability();
      if (!cap.available && patch.launchAtLogin) throw refusal('launchAtLogin', cap.reason ?? 'not available here');
    }
    // A setting changed here wins over the flag that decided it so far.
    const overrides = { ...this.overrides };
    if (patch.user !== undefined) delete overrides.user;
    if (patch.collector !== undefined) {
      delete overrides.collector;
      delete overrides.bundled;
    }
    const binding = await this.resolve(next, token, overrides);
    if (this.disposed) throw new ApiRefusal({ code: 'unavailable', message: 'shutting down' });
    const before = this.current?.binding;
    const rebind = !before || !sameBinding(before, binding);
    // Stored BEFORE the services move (the secret first, then settings.json): a change that
    // cannot be stored is refused with everything as it was, never running unsaved.
    const restore = this.persist(next, token);
    if (rebind) {
      this.log.info(`settings: rebinding to ${binding.collectorUrl} as ${binding.user}`);
      try {
        this.rebindOrRestore(binding, before);
      } catch (err) {
        restore();
        throw err;
      }
    }
    if (next.launchAtLogin !== this.settings.launchAtLogin && this.loginItem.capability().available) {
      this.loginItem.set(next.launchAtLogin);
    }
    this.settings = next;
    this.overrides = overrides;
    // Announced once everything is stored, so the view the renderer gets is the final one.
    if (rebind) this.announce(this.services);
    else this.pushes.emit({ type: 'settings-changed', settings: this.get() }, this.log);
    return this.get();
  }

  /**
   * Stores the team token (if one came with the change) and then settings.json. Returns the undo
   * (the previous secret and file back). A failure undoes what was stored and refuses naming the field.
   */
  private persist(next: Settings, token: string | undefined): () => void {
    const undo: Array<() => void> = [];
    const runUndo = (): void => {
      for (const step of undo.reverse()) {
        try {
          step();
        } catch (err) {
          this.log.error(`settings: cannot restore the previous state: ${String(err)}`);
        }
      }
    };
    if (token !== undefined && next.collector.mode === 'team') {
      const key = collectorTokenKey(next.collector.url);
      const previous = this.opts.secrets.get(key);
      try {
        this.opts.secrets.set(key, token);
      } catch (err) {
        throw cannotStore('collector.token', err);
      }
      undo.push(() => (previous === undefined ? this.opts.secrets.delete(key) : this.opts.secrets.set(key, previous)));
    }
    let file: string | undefined;
    try {
      file = this.opts.store.snapshot();
      this.opts.store.save(next);
    } catch (err) {
      runUndo();
      throw cannotStore('settings', err);
    }
    undo.push(() => this.opts.store.restore(file));
    return runUndo;
  }

  /** Binds `binding`; if the new services cannot be created, goes back to `before` and refuses the change. */
  private rebindOrRestore(binding: Binding, before: Binding | undefined): void {
    try {
      this.bind(binding, false);
    } catch (err) {
      this.log.error(`settings: cannot rebind: ${String(err)}`);
      if (before) this.bind(before);
      throw refusal('collector', `cannot switch: ${(err as Error).message}`);
    }
  }

  private effectiveUser(s: Settings, overrides = this.overrides): string {
    return overrides.user?.value ?? s.user ?? this.opts.defaultUser;
  }

  /** What the services must be bound to for these settings (starts the bundled collector if needed). */
  private async resolve(s: Settings, newToken: string | undefined, overrides = this.overrides): Promise<Binding> {
    const user = this.effectiveUser(s, overrides);
    const ringMs = s.ringIntervalSec * MS_PER_S;
    const o = overrides.collector;
    if (o) return { user, ringMs, collectorUrl: o.value.url, token: o.value.token, cacheDir: this.opts.dataDir };
    if (s.collector.mode === 'team' && !overrides.bundled) {
      const url = s.collector.url;
      const fromFlag = this.opts.overrides?.collector?.value;
      const token =
        newToken ??
        this.opts.secrets.get(collectorTokenKey(url)) ??
        (fromFlag?.url === url ? fromFlag.token : undefined);
      if (token === undefined) throw refusal('collector.token', `the collector at ${url} needs its token`);
      return { user, ringMs, collectorUrl: url, token, cacheDir: teamCacheDir(this.opts.dataDir, url) };
    }
    if (!this.opts.bundled) throw refusal('collector.mode', 'this build has no bundled collector');
    let bundled: BundledCollector;
    try {
      bundled = await this.opts.bundled(user);
    } catch (err) {
      throw refusal('collector.mode', `the bundled collector did not start: ${(err as Error).message}`);
    }
    return {
      user,
      ringMs,
      collectorUrl: bundled.url,
      token: bundled.token,
      cacheDir: this.opts.dataDir,
      bundled: true,
    };
  }

  private bind(binding: Binding, announce = true): void {
    this.unbind();
    const services = createAppServices({
      ...this.opts.services,
      collectorUrl: binding.collectorUrl,
      collectorToken: binding.token,
      user: binding.user,
      dataDir: binding.cacheDir,
      log: this.log,
      alarm: { ...this.opts.services?.alarm, repeatEveryMs: binding.ringMs },
      settings: this,
      ...(this.opts.demo ? { demo: this.opts.demo } : {}),
    });
    const stopPushes = services.api.onPush((push) => this.pushes.emit(push, this.log));
    this.current = { services, binding, stopPushes };
    services.start();
    this.rebound.emit(services, this.log);
    if (announce) this.announce(services);
  }

  private unbind(): void {
    if (!this.current) return;
    this.current.stopPushes();
    this.current.services.dispose();
    this.current = null;
  }

  /** Every view re-reads: the user, the collector or its cache changed under it. */
  private announce(s: AppServices): void {
    const now = toIso((this.opts.services?.clock ?? systemClock).now());
    const emit = (push: ApiPush): void => this.pushes.emit(push, this.log);
    emit({ type: 'settings-changed', settings: this.get() });
    emit({ type: 'status-changed', status: s.sync.status() });
    emit({ type: 'alarm-changed', alarm: s.alarm.state() });
    emit({ type: 'incidents-changed', incidentIds: [] });
    emit({ type: 'alerts-changed', alertIds: [] });
    emit({ type: 'silences-changed', count: s.cache.silences().length });
    emit({ type: 'rotation-changed', syncedAt: now });
    emit({ type: 'series-changed', syncedAt: now });
    emit({ type: 'runbooks-changed', ids: [] });
  }
}

function sameBinding(a: Binding, b: Binding): boolean {
  return (
    a.user === b.user &&
    a.collectorUrl === b.collectorUrl &&
    a.token === b.token &&
    a.cacheDir === b.cacheDir &&
    a.ringMs === b.ringMs
  );
}

function refusal(field: string, message: string): ApiRefusal {
  return new ApiRefusal({ code: 'invalid_field', message: `${field}: ${message}` });
}

/** A change that could not be stored (no OS encryption for the token, a read-only data dir). */
function cannotStore(field: string, err: unknown): ApiRefusal {
  const why = err instanceof Error ? err.message : String(err);
  return new ApiRefusal({ code: 'unavailable', message: `${field}: cannot be stored (${why}); nothing changed` });
}

function disposedError(): Error {
  return new Error('the session was disposed while starting');
}

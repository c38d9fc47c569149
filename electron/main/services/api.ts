import type {
  ApiHandlerParams,
  ApiMethod,
  ApiParams,
  ApiPush,
  ApiReply,
  ApiResult,
  SyncStatus,
  VigilApi,
} from '../../../shared/protocol/api.js';
import { ApiRefusal, dispatchApiCall, type ApiHandlers } from '../../../shared/api/handlers.js';
import { settleReply } from '../../../shared/api/client.js';
import type { AlarmState } from '../../../shared/protocol/alarm.js';
import { DAY_MS, systemClock, type Clock } from '../../../shared/clock.js';
import { SILENCE_HARD_MAX_MS, type Silence, type SilenceRequest } from '../../../shared/protocol/incident.js';
import type { CachedRotation } from '../../../shared/protocol/rotation.js';
import type { DemoState } from '../../../shared/protocol/settings.js';
import { rotationChanges, rotationIcsFile } from './rotation/rotation-api.js';
import type { HealthApi } from './health/health-api.js';
import type { Cache } from './cache/index.js';
import type { Outbox } from './outbox.js';
import { listedSilences } from './silences.js';
import type { SeriesSource } from './series/series-source.js';
import type { RunbookSource } from './runbooks/runbook-service.js';
import { Listeners, silentLogger, type Logger } from './runtime.js';
import { postmortemHandlers, type PostmortemApi } from './postmortems/index.js';
import type { DemoSource, SettingsSource } from './settings/sources.js';

/** What the Api needs from the sync client. */
export interface StatusSource {
  status(): SyncStatus;
  onStatus(listener: (status: SyncStatus) => void): () => void;
  onAlertsChanged(listener: (alertIds: string[]) => void): () => void;
  onIncidentsChanged(listener: (incidentIds: string[]) => void): () => void;
  onSilencesChanged(listener: (count: number) => void): () => void;
  refreshStatus(): void;
}

export interface ApiServiceOptions {
  cache: Cache;
  sync: StatusSource;
  outbox: Outbox;
  /** Charts, answered from the chart cache; absent = `series.*` calls fail with `unavailable`. */
  series?: SeriesSource;
  /** Runbooks from the cache (issue 7); absent = `runbooks.*` calls fail with `unavailable`. */
  runbooks?: RunbookSource;
  /** The desktop Alarm (issue 6); absent = `alarm.get` fails with `unavailable`. */
  alarm?: AlarmSource;
  /** The cached rotation; absent = `rotation.*` calls fail with `unavailable`. */
  rotation?: RotationSource;
  /** On-call health and the fatigue pulse (issue 15); absent = `health.*` calls fail with `unavailable`. */
  health?: HealthApi;
  /** Postmortems, action items, weekly review (issue 15); absent = those calls fail with `unavailable`. */
  postmortems?: PostmortemApi;
  /** The settings and the session that applies them (issue 16); absent = `settings.*` fail with `unavailable`. */
  settings?: SettingsSource;
  /** The bundled simulator's scenarios (the Demo menu); absent = `demo.get` answers unavailable. */
  demo?: DemoSource;
  /** For checking a new silence's end against now. */
  clock?: Clock;
  log?: Logger;
}

/** What the Api needs from the Alarm service. */
export interface AlarmSource {
  state(): AlarmState;
  onChanged(listener: (state: AlarmState) => void): () => void;
}

/** What the Api needs for the rotation calendar: the cache and its refresh signal. */
export interface RotationSource {
  get(): CachedRotation | null;
  onChanged(listener: (syncedAt: string) => void): () => void;
}

/**
 * The Api main exposes to the renderer (over IPC or the headless bridge). Every call is
 * validated here, because the renderer is the less trusted side; everything it reads comes
 * from the cache, so the UI works offline.
 */
export class ApiService implements VigilApi {
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly pushes = new Listeners<ApiPush>();
  private readonly unsubscribe: Array<() => void> = [];
  /** Replays touch many alerts in a burst; the UI gets one push per tick, not one per event. */
  private changedIds = new Set<string>();
  private changedIncidents = new Set<string>();
  private silencesChanged = false;
  private latestStatus: SyncStatus | null = null;
  private flushScheduled = false;

  constructor(private readonly opts: ApiServiceOptions) {
    this.log = opts.log ?? silentLogger;
    this.clock = opts.clock ?? systemClock;
    this.unsubscribe.push(
      opts.sync.onAlertsChanged((ids) => {
        for (const id of ids) this.changedIds.add(id);
        // An empty list means "everything may have changed" (the replica was reset).
        if (ids.length === 0) this.changedIds.add('*');
        this.schedule();
      }),
      opts.sync.onIncidentsChanged((ids) => {
        for (const id of ids) this.changedIncidents.add(id);
        if (ids.length === 0) this.changedIncidents.add('*');
        this.schedule();
      }),
      opts.sync.onSilencesChanged(() => {
        this.silencesChanged = true;
        this.schedule();
      }),
      opts.sync.onStatus((status) => {
        this.latestStatus = status;
        this.schedule();
      }),
      opts.outbox.onChanged((item) => {
        this.pushes.emit({ type: 'outbox-changed', item }, this.log);
        // A silence made or expired here is listed (pending) before the collector confirms it.
        if (item.kind === 'silence' || item.kind === 'expire-silence') {
          this.silencesChanged = true;
          this.schedule();
        }
        // The pending count in the status moved with it.
        opts.sync.refreshStatus();
      }),
    );
    if (opts.series) {
      this.unsubscribe.push(
        opts.series.onChanged((syncedAt) => this.pushes.emit({ type: 'series-changed', syncedAt }, this.log)),
      );
    }
    if (opts.alarm) {
      this.unsubscribe.push(
        opts.alarm.onChanged((alarm) => this.pushes.emit({ type: 'alarm-changed', alarm }, this.log)),
      );
    }
    if (opts.rotation) {
      this.unsubscribe.push(
        opts.rotation.onChanged((syncedAt) => this.pushes.emit({ type: 'rotation-changed', syncedAt }, this.log)),
      );
    }
    if (opts.health) {
      this.unsubscribe.push(
        opts.health.onChanged((syncedAt) => this.pushes.emit({ type: 'health-changed', syncedAt }, this.log)),
      );
    }
    if (opts.postmortems) {
      this.unsubscribe.push(
        opts.postmortems.onChanged((at) => this.pushes.emit({ type: 'postmortems-changed', at }, this.log)),
      );
    }
    if (opts.runbooks) {
      this.unsubscribe.push(
        opts.runbooks.onChanged((ids) => this.pushes.emit({ type: 'runbooks-changed', ids }, this.log)),
      );
    }
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.pushes.clear();
  }

  onPush(listener: (push: ApiPush) => void): () => void {
    return this.pushes.on(listener);
  }

  /**
   * One handler per method of the table (shared/protocol/api.ts); `satisfies` makes a missing
   * or misshapen handler a compile error. Handlers get params already validated from the table.
   */
  private readonly handlers = {
    'alerts.list': (p) => this.opts.cache.listAlerts(p.status),
    'alerts.get': (p) => this.opts.cache.getAlert(p.id),
    'alerts.command': (p) => this.command(p),
    'incidents.list': (p) => this.opts.cache.listIncidents(p.status),
    'incidents.get': (p) => this.opts.cache.getIncident(p.id),
    'incidents.command': (p) => this.incidentCommand(p),
    'silences.list': () => this.silences(),
    'silences.create': (p) => this.createSilence(p),
    'silences.expire': (p) => this.expireSilence(p.id),
    'outbox.list': () => this.opts.cache.outbox(),
    'status.get': () => this.opts.sync.status(),
    'alarm.get': () => this.alarmSource().state(),
    'series.query': (p) => this.chartSource().query(p),
    'series.catalog': () => this.chartSource().catalog(),
    'runbooks.list': () => this.runbookSource().list(),
    'runbooks.get': (p) => this.runbookSource().get(p.id),
    'runbooks.search': (p) => this.runbookSource().search(p.query, p.limit),
    'runbooks.forAlert': (p) => this.runbookSource().forAlert(p.alertId),
    'runbooks.recordStep': (p) => {
      const r = this.runbookSource().recordStep(p);
      if (!r.ok) throw new ApiRefusal(r.error);
      return r.result;
    },
    'rotation.get': () => this.rotationSource().get(),
    'rotation.override': (p) => {
      // Checked against the roster by the collector, which owns the rotation.
      this.rotationSource();
      return { commandId: this.opts.outbox.enqueueOverride(p).id };
    },
    'rotation.removeOverride': (p) => this.removeOverride(p.id),
    'rotation.changes': () => rotationChanges(this.opts.cache),
    'rotation.ics': (p) => {
      const file = rotationIcsFile(this.rotationSource().get(), this.clock.now(), p);
      if (!file) throw new ApiRefusal({ code: 'not_found', message: 'no rotation in the cache yet' });
      return file;
    },
    'health.get': () => this.healthSource().get(),
    'health.pulsePrompt': () => this.healthSource().prompt(),
    'health.pulse': (p) => this.healthSource().answer(p),
    'health.skipPulse': (p) => this.healthSource().skip(p.shiftEnd),
    ...postmortemHandlers(() => this.postmortemSource()),
    'settings.get': () => this.settingsSource().get(),
    'settings.update': (p) => this.settingsSource().update(p),
    'settings.testNotification': () => this.settingsSource().testNotification(),
    'demo.get': () => this.opts.demo?.state() ?? NO_DEMO,
    'demo.setScenario': (p) => {
      const state = this.opts.demo?.state();
      if (!this.opts.demo || !state?.available) {
        throw new ApiRefusal({ code: 'unavailable', message: state?.reason ?? NO_DEMO.reason ?? '' });
      }
      return this.opts.demo.set(p);
    },
  } satisfies ApiHandlers;

  /** Validates and runs one call (IPC or the headless bridge); never throws, never rejects. */
  handle(call: unknown): Promise<ApiReply> {
    return dispatchApiCall(this.handlers, call, (method, err) =>
      this.log.error(`api: ${method} failed: ${String(err)}`),
    );
  }

  /** The same calls as a typed in-process VigilApi (rejects with a coded `ApiCallError`). */
  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    return settleReply(method, await this.handle({ method, params }));
  }

  private command(p: ApiHandlerParams<'alerts.command'>): { commandId: string } {
    if (!this.opts.cache.hasAlert(p.alertId)) {
      throw new ApiRefusal({ code: 'not_found', message: `no alert ${p.alertId} in the cache` });
    }
    requireSnoozeEnd(p);
    return { commandId: this.opts.outbox.enqueue(p).id };
  }

  private incidentCommand(p: ApiHandlerParams<'incidents.command'>): { commandId: string } {
    if (this.opts.cache.incident(p.incidentId) === null) {
      throw new ApiRefusal({ code: 'not_found', message: `no incident ${p.incidentId} in the cache` });
    }
    requireSnoozeEnd(p);
    return { commandId: this.opts.outbox.enqueueIncident(p).id };
  }

  /** Only overrides made from desktops can go: those the cache lists, or one still in this outbox. */
  private removeOverride(id: string): { commandId: string } {
    const known =
      this.rotationSource()
        .get()
        ?.view.overrides.some((o) => o.commandId === id) === true ||
      rotationChanges(this.opts.cache).some((c) => c.kind === 'override' && c.id === id);
    if (!known) throw new ApiRefusal({ code: 'not_found', message: `no override ${id} made from a desktop` });
    return { commandId: this.opts.outbox.enqueueRemoveOverride(id).id };
  }

  private silences(): Silence[] {
    const { cache } = this.opts;
    return listedSilences(cache.silences(), cache.pendingSilenceCommands(), this.opts.sync.status().user);
  }

  /**
   * Bounds the collector would refuse anyway are refused here, at once, with the field: a
   * silence already over, or longer than any silence may be (the collector's own
   * `silences.maxDuration` is configuration it checks when it applies the command).
   */
  private createSilence(p: SilenceRequest): { commandId: string } {
    const now = this.clock.now();
    const ends = Date.parse(p.endsAt);
    if (ends <= now) throw new ApiRefusal({ code: 'invalid_field', message: 'endsAt: must be in the future' });
    const starts = p.startsAt !== undefined ? Date.parse(p.startsAt) : now;
    if (ends - Math.max(starts, now) > SILENCE_HARD_MAX_MS) {
      throw new ApiRefusal({
        code: 'invalid_field',
        message: `endsAt: a silence lasts at most ${SILENCE_HARD_MAX_MS / DAY_MS} days`,
      });
    }
    return { commandId: this.opts.outbox.enqueueSilence(p).id };
  }

  private expireSilence(id: string): { commandId: string } {
    if (!this.silences().some((s) => s.id === id)) {
      throw new ApiRefusal({ code: 'not_found', message: `no silence ${id}` });
    }
    return { commandId: this.opts.outbox.enqueueExpireSilence(id).id };
  }

  private alarmSource(): AlarmSource {
    if (!this.opts.alarm)
      throw new ApiRefusal({ code: 'unavailable', message: 'the alarm is not available in this build' });
    return this.opts.alarm;
  }

  private healthSource(): HealthApi {
    if (!this.opts.health)
      throw new ApiRefusal({ code: 'unavailable', message: 'health is not available in this build' });
    return this.opts.health;
  }

  private settingsSource(): SettingsSource {
    if (!this.opts.settings)
      throw new ApiRefusal({ code: 'unavailable', message: 'settings are not available in this build' });
    return this.opts.settings;
  }

  private rotationSource(): RotationSource {
    if (!this.opts.rotation)
      throw new ApiRefusal({ code: 'unavailable', message: 'the rotation is not available in this build' });
    return this.opts.rotation;
  }

  private postmortemSource(): PostmortemApi {
    if (!this.opts.postmortems)
      throw new ApiRefusal({ code: 'unavailable', message: 'postmortems are not available in this build' });
    return this.opts.postmortems;
  }

  private runbookSource(): RunbookSource {
    if (!this.opts.runbooks)
      throw new ApiRefusal({ code: 'unavailable', message: 'runbooks are not available in this build' });
    return this.opts.runbooks;
  }

  private chartSource(): SeriesSource {
    if (!this.opts.series)
      throw new ApiRefusal({ code: 'unavailable', message: 'charts are not available in this build' });
    return this.opts.series;
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.changedIds.size > 0) {
      const alertIds = [...this.changedIds];
      this.changedIds = new Set();
      this.pushes.emit({ type: 'alerts-changed', alertIds }, this.log);
    }
    if (this.changedIncidents.size > 0) {
      const incidentIds = [...this.changedIncidents];
      this.changedIncidents = new Set();
      this.pushes.emit({ type: 'incidents-changed', incidentIds }, this.log);
    }
    if (this.silencesChanged) {
      this.silencesChanged = false;
      try {
        this.pushes.emit({ type: 'silences-changed', count: this.silences().length }, this.log);
      } catch (err) {
        this.log.error(`api: could not count silences: ${String(err)}`);
      }
    }
    if (this.latestStatus) {
      const status = this.latestStatus;
      this.latestStatus = null;
      this.pushes.emit({ type: 'status-changed', status }, this.log);
    }
  }
}

const NO_DEMO: DemoState = {
  available: false,
  reason: 'no bundled simulator runs here (Settings → Collector: bundled starts it)',
  scenarios: [],
};

function requireSnoozeEnd(p: { kind: string; until?: string | undefined }): void {
  if (p.kind === 'snooze' && p.until === undefined) {
    throw new ApiRefusal({ code: 'invalid_field', message: 'until: snooze needs an end time' });
  }
}

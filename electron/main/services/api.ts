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
import type { CachedRotation } from '../../../shared/protocol/rotation.js';
import type { Cache } from './cache/index.js';
import type { Outbox } from './outbox.js';
import type { SeriesSource } from './series/series-source.js';
import type { RunbookSource } from './runbooks/runbook-service.js';
import { Listeners, silentLogger, type Logger } from './runtime.js';

/** What the Api needs from the sync client. */
export interface StatusSource {
  status(): SyncStatus;
  onStatus(listener: (status: SyncStatus) => void): () => void;
  onAlertsChanged(listener: (alertIds: string[]) => void): () => void;
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
  private readonly pushes = new Listeners<ApiPush>();
  private readonly unsubscribe: Array<() => void> = [];
  /** Replays touch many alerts in a burst; the UI gets one push per tick, not one per event. */
  private changedIds = new Set<string>();
  private latestStatus: SyncStatus | null = null;
  private flushScheduled = false;

  constructor(private readonly opts: ApiServiceOptions) {
    this.log = opts.log ?? silentLogger;
    this.unsubscribe.push(
      opts.sync.onAlertsChanged((ids) => {
        for (const id of ids) this.changedIds.add(id);
        // An empty list means "everything may have changed" (the replica was reset).
        if (ids.length === 0) this.changedIds.add('*');
        this.schedule();
      }),
      opts.sync.onStatus((status) => {
        this.latestStatus = status;
        this.schedule();
      }),
      opts.outbox.onChanged((item) => {
        this.pushes.emit({ type: 'outbox-changed', item }, this.log);
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
    if (p.kind === 'override') {
      throw new ApiRefusal({ code: 'invalid_field', message: 'kind: rotation overrides go through rotation.override' });
    }
    if (p.kind === 'snooze' && p.until === undefined) {
      throw new ApiRefusal({ code: 'invalid_field', message: 'until: snooze needs an end time' });
    }
    return { commandId: this.opts.outbox.enqueue(p).id };
  }

  private alarmSource(): AlarmSource {
    if (!this.opts.alarm)
      throw new ApiRefusal({ code: 'unavailable', message: 'the alarm is not available in this build' });
    return this.opts.alarm;
  }

  private rotationSource(): RotationSource {
    if (!this.opts.rotation)
      throw new ApiRefusal({ code: 'unavailable', message: 'the rotation is not available in this build' });
    return this.opts.rotation;
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
    if (this.latestStatus) {
      const status = this.latestStatus;
      this.latestStatus = null;
      this.pushes.emit({ type: 'status-changed', status }, this.log);
    }
  }
}

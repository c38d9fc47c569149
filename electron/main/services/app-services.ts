import { join } from 'node:path';
import { systemClock, toIso, type Clock } from '../../../shared/clock.js';
import type { SeriesQueryParams } from '../../../shared/protocol/series.js';
import { AlarmService } from './alarm/index.js';
import { ApiService } from './api.js';
import { CacheCheckpointer, ensurePrivateDir, openCache, type Cache } from './cache/index.js';
import { CacheRetention, DEFAULT_CACHE_RETENTION, type CacheRetentionOptions } from './cache-retention.js';
import { createNotifier, type Notifier } from './notifier/index.js';
import { Outbox } from './outbox.js';
import { openSeriesCache, RemoteSeries, SeriesSync, withRemoteSeries, type SeriesCache } from './series/index.js';
import { createRunbookSource, openRunbookCache, RunbookSync, type RunbookCache } from './runbooks/index.js';
import { openRotationCache, RotationSync, ShiftNotice, type RotationCache } from './rotation/index.js';
import { HealthApi, HealthSync, openHealthCache, type HealthCache } from './health/index.js';
import { teamTimeZone } from '../../../shared/rotation/team-zone.js';
import { stderrLogger, systemTimers, type Logger } from './runtime.js';
import { openPostmortemCache, PostmortemApi, PostmortemSync, type PostmortemCache } from './postmortems/index.js';
import { runbookForAlert } from '../../../shared/runbooks/match.js';
import { SyncClient, type SyncClientOptions } from './sync-client.js';
import type { DemoSource, SettingsSource } from './settings/sources.js';

export interface AppServicesOptions {
  collectorUrl: string;
  collectorToken: string;
  /** Who this desktop acts as (shown as acknowledgedBy). */
  user: string;
  /** Holds cache.db; created when missing. */
  dataDir: string;
  clock?: Clock;
  log?: Logger;
  /** Test and tuning knobs for the stream (backoff, heartbeat, timers). */
  sync?: Pick<
    SyncClientOptions,
    'backoff' | 'heartbeatTimeoutMs' | 'timers' | 'random' | 'refusedRetryMs' | 'rateLimitedRetryMs' | 'stableAfterMs'
  >;
  /** Cache retention (resolved alerts older than N days); defaults to 30 days, hourly. */
  retention?: Partial<CacheRetentionOptions>;
  /** Paging on this desktop: the notifier (default: node-notifier) and how often a page rings again. */
  alarm?: { notifier?: Notifier; repeatEveryMs?: number };
  /** Shift notices (issue 14): how long before this user's shift the first one comes (default 30 min). */
  shiftNotice?: { leadMs?: number };
  /** Answers `settings.*` (the AppSession that created these services, issue 16). */
  settings?: SettingsSource;
  /** Answers `demo.*` (the bundled simulator's scenarios). */
  demo?: DemoSource;
}

export interface AppServices {
  api: ApiService;
  sync: SyncClient;
  outbox: Outbox;
  cache: Cache;
  retention: CacheRetention;
  /** Copies the cache's WAL into the file while the app is quiet (never inside a commit). */
  checkpointer: CacheCheckpointer;
  /** Chart rollups (cache tables from migration 0004) and the poller that fills them. */
  seriesCache: SeriesCache;
  seriesSync: SeriesSync;
  /** Charts the collector reads from its Prometheus source (issue 17): asked of it, not the cache. */
  remoteSeries: RemoteSeries;
  /** Runbooks (cache tables from migration 0003, FTS5) and the poller that fills them. */
  runbookCache: RunbookCache;
  runbookSync: RunbookSync;
  /** Rings pages targeted at this user (issue 6). */
  alarm: AlarmService;
  /** The rotation (cache table from migration 0005) and the poller that fills it. */
  rotationCache: RotationCache;
  rotationSync: RotationSync;
  /** On-call health (cache tables from migration 0009) and the poller that fills it. */
  healthCache: HealthCache;
  healthSync: HealthSync;
  /** Postmortems and review marks (cache tables from migration 0010) and the poller that fills them. */
  postmortemCache: PostmortemCache;
  postmortemSync: PostmortemSync;
  /** The desktop notifier the Alarm rings through (the settings' test notification uses it too). */
  notifier: Notifier;
  start(): void;
  /** Closes the socket, timers and the database. Safe to call twice. */
  dispose(): void;
}

export const CACHE_FILE = 'cache.db';
/** Minimum gap between chart pulls triggered by alert changes (the regular poll runs every minute). */
export const ALERT_CHART_PULL_MS = 15_000;

/** The one place services are wired together, for Electron main and the headless host alike. */
export function createAppServices(opts: AppServicesOptions): AppServices {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? stderrLogger;
  // 0700: the cache holds every alert and its timeline (see electron/node/private-files.ts).
  const widerDir = ensurePrivateDir(opts.dataDir, [CACHE_FILE]);
  if (widerDir) log.warn(`cache: ${widerDir}`);
  const cache = openCache(join(opts.dataDir, CACHE_FILE), { now: toIso(clock.now()), log: (m) => log.warn(m) });
  if (cache.bindCollector(opts.collectorUrl)) {
    log.info(`cache: collector changed to ${opts.collectorUrl}; replica reset`);
  }
  let outboxRef: Outbox | null = null;
  const sync = new SyncClient({
    ...opts.sync,
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    user: opts.user,
    cache,
    clock,
    log,
    pendingCommands: () => outboxRef?.pendingCount() ?? 0,
  });
  const outbox = new Outbox({ cache, channel: sync, clock, log });
  outboxRef = outbox;
  const seriesCache = openSeriesCache(cache.path, { log });
  const seriesSync = new SeriesSync({
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    cache: seriesCache,
    connection: sync,
    clock,
    log,
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  const remoteSeries = new RemoteSeries({
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    connection: sync,
    clock,
    log,
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  const series = withRemoteSeries(
    {
      query: (p: SeriesQueryParams) => seriesCache.query(p, clock.now()),
      catalog: () => seriesCache.catalog(),
      onChanged: (l: (syncedAt: string) => void) => seriesSync.onChanged(l),
    },
    remoteSeries,
  );
  const runbookCache = openRunbookCache(cache.path, { log });
  const runbookSync = new RunbookSync({
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    cache: runbookCache,
    connection: sync,
    clock,
    log,
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  const runbooks = createRunbookSource({
    cache,
    runbooks: runbookCache,
    outbox,
    onChanged: (l) => runbookSync.onChanged((r) => l([...r.fetched, ...r.removed])),
  });
  // A notifier we create is ours to dispose; one passed in belongs to the caller.
  const ownsNotifier = opts.alarm?.notifier === undefined;
  const notifier = opts.alarm?.notifier ?? createNotifier(log);
  const alarm = new AlarmService({
    user: opts.user,
    source: {
      // Only firing incidents ring, are watched or get a ticket note.
      listIncidents: () => cache.listIncidents('firing'),
      getIncident: (id) => cache.incident(id) ?? undefined,
      openAlertCount: (incident) => cache.openMemberCount(incident),
      onIncidentsChanged: (l) => incidentsOrMembersChanged(cache, sync, l),
    },
    notifier,
    acknowledge: (incidentId) => void outbox.enqueueIncident({ kind: 'ack', incidentId }),
    serverOffsetMs: () => cache.syncState().serverOffsetMs,
    clock,
    log,
    ...(opts.alarm?.repeatEveryMs !== undefined ? { repeatEveryMs: opts.alarm.repeatEveryMs } : {}),
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  const rotationCache = openRotationCache(cache.path, { log: (m) => log.warn(m) });
  const rotationSync = new RotationSync({
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    cache: rotationCache,
    connection: sync,
    clock,
    log,
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  // An override applied (ours, or one the collector announces from another desktop): fetch the
  // rotation now rather than at the next poll.
  const stopOverrideWatch = outbox.onChanged((item) => {
    if ((item.kind === 'override' || item.kind === 'remove-override') && item.state === 'applied') {
      void rotationSync.syncNow();
    }
  });
  const stopRotationWatch = sync.onRotationChanged(() => void rotationSync.syncNow());
  // A new or changed alert: pull the chart rollups now, so its chart shows the minutes that fired
  // it instead of waiting for the next poll. At most once per ALERT_CHART_PULL_MS: every desktop
  // of a team does this, and an alert storm must not become a storm of rollup requests.
  let lastAlertChartPull = Number.NEGATIVE_INFINITY;
  const stopAlertChartWatch = sync.onAlertsChanged(() => {
    const now = clock.now();
    if (now - lastAlertChartPull < ALERT_CHART_PULL_MS) return;
    lastAlertChartPull = now;
    void seriesSync.syncNow();
  });
  const rotation = {
    get: () => rotationCache.get(),
    onChanged: (l: (syncedAt: string) => void) => rotationSync.onChanged(l),
  };
  const shiftNotice = new ShiftNotice({
    user: opts.user,
    rotation,
    openIncidents: () => cache.listIncidents().filter((i) => i.status !== 'resolved'),
    notifier,
    clock,
    log,
    ...(opts.shiftNotice?.leadMs !== undefined ? { leadMs: opts.shiftNotice.leadMs } : {}),
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  // Issue 15: the health answer for the Health view, refreshed soon after incidents change.
  const healthCache = openHealthCache(cache.path, { log: (m) => log.warn(m) });
  const healthSync = new HealthSync({
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    cache: healthCache,
    rotation: () => rotationCache.get(),
    connection: sync,
    clock,
    log,
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  // Issue 15: postmortems, action items, weekly review.
  const postmortemCache = openPostmortemCache(cache.path, { log: (m) => log.warn(m) });
  const postmortemSync = new PostmortemSync({
    collectorUrl: opts.collectorUrl,
    token: opts.collectorToken,
    cache: postmortemCache,
    connection: sync,
    clock,
    log,
    ...(opts.sync?.timers ? { timers: opts.sync.timers } : {}),
  });
  const stopHealthIncidents = sync.onIncidentsChanged(() => healthSync.soon());
  // A pulse answer the collector stored shows in the quarter's average.
  const stopHealthPulses = outbox.onChanged((item) => {
    if (item.kind === 'pulse' && item.state === 'applied') healthSync.soon();
  });
  const stopHealthWatch = (): void => {
    stopHealthIncidents();
    stopHealthPulses();
  };
  const health = new HealthApi({
    cache: healthCache,
    rotation: () => rotationCache.get(),
    user: () => opts.user,
    now: () => clock.now(),
    enqueuePulse: (pulse) => outbox.enqueuePulse(pulse).id,
    onChanged: (l) => healthSync.onChanged(l),
  });
  const stopPostmortemWatch = sync.onPostmortemsChanged(() => void postmortemSync.syncNow());
  const postmortems = new PostmortemApi({
    cache,
    postmortems: postmortemCache,
    outbox,
    clock,
    user: opts.user,
    // One rule with Health (teamTimeZone): the rotation's zone, else the collector's business-hours
    // zone as the cached health answer names it, else UTC.
    timeZone: () =>
      teamTimeZone(rotationCache.get()?.view.rotation, { timeZone: healthCache.get()?.answer.timeZone ?? 'UTC' }),
    runbookFor: (alert) => runbookForAlert(alert, runbookCache.list()) ?? undefined,
    onSynced: (l) => postmortemSync.onChanged(l),
  });
  const api = new ApiService({
    cache,
    sync,
    outbox,
    series,
    runbooks,
    alarm,
    rotation,
    health,
    postmortems,
    clock,
    log,
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(opts.demo ? { demo: opts.demo } : {}),
  });
  const retention = new CacheRetention(
    cache,
    { ...DEFAULT_CACHE_RETENTION, ...opts.retention },
    clock,
    opts.sync?.timers ?? systemTimers,
    log,
  );
  const checkpointer = new CacheCheckpointer({ path: cache.path, timers: opts.sync?.timers ?? systemTimers, log });
  let disposed = false;
  return {
    api,
    sync,
    outbox,
    cache,
    retention,
    checkpointer,
    seriesCache,
    seriesSync,
    remoteSeries,
    runbookCache,
    runbookSync,
    alarm,
    rotationCache,
    rotationSync,
    healthCache,
    healthSync,
    postmortemCache,
    postmortemSync,
    notifier,
    start() {
      alarm.start();
      outbox.start();
      sync.start();
      retention.start();
      checkpointer.start();
      seriesSync.start();
      remoteSeries.start();
      runbookSync.start();
      rotationSync.start();
      healthSync.start();
      postmortemSync.start();
      shiftNotice.start();
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      retention.dispose();
      checkpointer.dispose();
      seriesSync.dispose();
      remoteSeries.dispose();
      runbookSync.dispose();
      rotationSync.dispose();
      healthSync.dispose();
      stopHealthWatch();
      postmortemSync.dispose();
      stopPostmortemWatch();
      shiftNotice.dispose();
      stopOverrideWatch();
      stopRotationWatch();
      stopAlertChartWatch();
      alarm.dispose();
      if (ownsNotifier) notifier.dispose?.();
      api.dispose();
      outbox.dispose();
      sync.dispose();
      seriesCache.close();
      runbookCache.close();
      rotationCache.close();
      healthCache.close();
      postmortemCache.close();
      cache.close();
    },
  };
}

/**
 * The alarm hears about an incident when it changes and when one of its members does: a member
 * resolving changes the "· N alerts" of the incident's next ring without an incident event.
 */
function incidentsOrMembersChanged(
  cache: Cache,
  sync: SyncClient,
  listener: (incidentIds: string[]) => void,
): () => void {
  const stopIncidents = sync.onIncidentsChanged(listener);
  const stopAlerts = sync.onAlertsChanged((alertIds) => {
    if (alertIds.length === 0) return listener([]);
    const incidentIds = cache.incidentIdsOf(alertIds);
    if (incidentIds.length > 0) listener(incidentIds);
  });
  return () => {
    stopIncidents();
    stopAlerts();
  };
}

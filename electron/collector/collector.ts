import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import type { CollectorConfig } from '../../shared/config/collector-config.js';
import { AlertService } from './alerts/alert-service.js';
import { BodyBudget } from './http/body-budget.js';
import { Authenticator } from './http/auth.js';
import { createHandler } from './http/routes.js';
import { createCollectorServer } from './http/server.js';
import { IngestPipeline } from './ingest/ingest-pipeline.js';
import { LabelCardinalityAlerts } from './ingest/label-alerts.js';
import { LabelCap } from './ingest/label-cap.js';
import { loadLabelSeed } from './ingest/label-seed.js';
import { Metrics } from './metrics.js';
import { GenAiMetrics } from './export/genai-metrics.js';
import { PrometheusSeries } from './series/prometheus-series.js';
import { AlertmanagerClient } from './integrations/alertmanager-client.js';
import { AlertmanagerSilences } from './integrations/alertmanager-silences.js';
import { RollupCache } from './rollup/rollup-cache.js';
import { RuleRuntime } from './rules/rule-runtime.js';
import { RollupMaintenance } from './maintenance/rollup-maintenance.js';
import { RemediationRunner } from './remediation/remediation-runner.js';
import { openStore } from './store/sqlite-store.js';
import { EventTimeGuard } from './ingest/event-time.js';
import type { CollectorStore } from './store/store.js';
import { openSeriesStore, type SeriesStore } from './store/series-store.js';
import { chartRulesFromConfig } from '../../shared/series/chart-rules.js';
import { WalCheckpointer } from './store/wal-checkpointer.js';
import { LogRetention } from './retention/log-retention.js';
import { StreamHub } from './stream/stream-hub.js';
import { BUNDLED_RUNBOOKS_DIR } from './runbooks/paths.js';
import { RunbookLibrary } from './runbooks/runbook-library.js';
import { EscalationScheduler } from './escalation/scheduler.js';
import { EscalateStage } from './incidents/escalate-stage.js';
import { IncidentCommands } from './incidents/incident-commands.js';
import { IncidentService } from './incidents/incident-service.js';
import { EvalRecorder } from './evals/eval-recorder.js';
import { EvalScheduler } from './evals/eval-scheduler.js';
import { AlertmanagerIntake } from './integrations/alertmanager.js';
import { EventsV2Intake } from './integrations/events-v2.js';
import { teamTimeZone } from '../../shared/rotation/team-zone.js';
import { endedOverrideKeepMs, openOverrideStore, RotationService } from './rotation/index.js';
import { HealthService } from './health/health-service.js';
import { openHealthStore } from './health/health-store.js';
import { openPostmortemStore, PostmortemService } from './postmortems/index.js';
import { runbookForAlert } from '../../shared/runbooks/match.js';

export interface CollectorOptions {
  dataDir: string;
  host: string;
  port: number;
  token: string;
  config: CollectorConfig;
  clock: Clock;
  log: (msg: string) => void;
}

/** The whole collector in one disposable object: SQLite store, HTTP server, ws hub. */
export class Collector {
  private store: CollectorStore | undefined;
  private series: SeriesStore | undefined;
  private checkpointer: WalCheckpointer | undefined;
  private server: Server | undefined;
  private hub: StreamHub | undefined;
  private escalation: EscalationScheduler | undefined;
  private stopRearm: (() => void) | undefined;
  private stopSilenceRearm: (() => void) | undefined;
  private retention: LogRetention | undefined;
  private maintenance: RollupMaintenance | undefined;
  private stopEvalRules: (() => void) | undefined;
  /** The rule engine (tests drive its wall-clock tick and read its sizes). */
  rules: RuleRuntime | undefined;
  /** Auto-remediation actions (tests await `idle()`). */
  remediation: RemediationRunner | undefined;
  private evalScheduler: EvalScheduler | undefined;
  private rotation: RotationService | undefined;
  private health: HealthService | undefined;
  private postmortems: PostmortemService | undefined;
  private stopAlertMetrics: (() => void) | undefined;
  /** Silences made in Alertmanager on ack (tests await `idle()`); undefined unless configured. */
  amSilences: AlertmanagerSilences | undefined;
  /** Eval runs land here (POST /v1/evals and the scheduler); the eval rules subscribe with `onRecorded`. */
  evals: EvalRecorder | undefined;
  private readonly sockets = new Set<Socket>();
  /** HTTP requests not yet answered (housekeeping on the request thread waits for none). */
  private requestsInFlight = 0;
  readonly metrics = new Metrics();

  constructor(private readonly opts: CollectorOptions) {}

  /** Opens the database, catches rules up to the stored watermark, listens. Resolves with the real port. */
  async start(): Promise<{ port: number }> {
    const { opts } = this;
    const dbFile = join(opts.dataDir, 'collector.db');
    // The WAL is checkpointed on a worker thread, not inside whichever request crosses 1,000 pages.
    const store = openStore(dbFile, opts.clock.now(), { autoCheckpoint: false, clock: opts.clock });
    this.store = store;
    const checkpointer = new WalCheckpointer({
      file: dbFile,
      log: opts.log,
      finish: () => store.checkpointWal(),
      busy: () => this.requestsInFlight > 0,
    });
    this.checkpointer = checkpointer;
    checkpointer.start();
    this.metrics.wal = () => checkpointer.stats();
    // A second, read-only connection for chart queries (opened after the writer migrated the file).
    const series = openSeriesStore(join(opts.dataDir, 'collector.db'));
    this.series = series;
    const alerts = new AlertService(store, opts.clock, opts.config.defaults.actor, {
      maxSnoozeMs: opts.config.escalation.maxSnooze,
    });
    const rotation = new RotationService(
      opts.config.rotation,
      openOverrideStore(join(opts.dataDir, 'collector.db')),
      opts.clock,
      // Ended overrides are kept as long as the alert log and the health figures (on-call hours).
      endedOverrideKeepMs(opts.config.retention.eventLog, opts.config.health.keep),
      opts.config.rotationOverrides,
    );
    this.rotation = rotation;
    // Escalation asks the rotation with the overrides made from desktops included.
    const escalationConfig = {
      escalation: opts.config.escalation,
      get rotation() {
        return rotation.effective();
      },
    };
    // On-call health (issue 15): its own connection; reads the health log the migration's trigger fills.
    const health = new HealthService(
      openHealthStore(join(opts.dataDir, 'collector.db')),
      escalationConfig,
      opts.clock,
      opts.config.health.keep,
    );
    this.health = health;
    const escalations = new EscalateStage(store.escalations, escalationConfig, (kind) =>
      this.metrics.incidentNotifications.inc({ kind }),
    );
    // The notify pipeline (issue 12) rides along with every alert transaction.
    const incidents = new IncidentService({
      store,
      alerts,
      config: { grouping: opts.config.grouping, inhibit: opts.config.inhibit, silences: opts.config.silences },
      escalation: escalations,
      clock: opts.clock,
      log: opts.log,
      autoResolve: (ruleId) =>
        opts.config.escalation.autoResolve.rules[ruleId] ?? opts.config.escalation.autoResolve.default,
    });
    alerts.setPipeline(incidents);
    incidents.start();
    this.metrics.incidentsOpen = () => store.incidents.countOpen();
    // Issue 17: an ack silences the incident's alerts in Alertmanager (after the commit).
    const am = opts.config.integrations.alertmanager;
    if (am.url !== undefined && am.silenceOnAck) {
      this.amSilences = new AlertmanagerSilences({
        store,
        alerts,
        incidents,
        client: new AlertmanagerClient(am.url, am.timeout),
        clock: opts.clock,
        log: opts.log,
        durationMs: am.silenceDuration,
      });
      this.amSilences.start();
    }
    const commands = new IncidentCommands({ store, alerts, incidents, escalation: escalations, clock: opts.clock });
    alerts.setCommandRouter((cmd, actor) => commands.apply(cmd, actor));
    // One timer for page deadlines and the core's due times (group waits, snooze and silence ends).
    const scheduler = new EscalationScheduler(incidents, opts.clock, opts.log);
    this.escalation = scheduler;
    // Every committed alert change may have moved a deadline.
    this.stopRearm = alerts.onCommitted(() => scheduler.rearm());
    this.stopSilenceRearm = incidents.onSilencesChanged(() => scheduler.rearm());
    // Issue 11: one clock check for event time: the ingest doors refuse past it, the rules'
    // watermark never passes it, the webhook doors keep a sender's time only within it.
    const eventTime = new EventTimeGuard(
      opts.clock,
      opts.config.ingest.maxFutureSkew,
      (n) => (this.metrics.eventsFutureRefused += n),
    );
    const rules = new RuleRuntime(store, alerts, this.metrics, opts.config.rules, {
      clock: opts.clock,
      log: opts.log,
      eventTime,
      timeZone: opts.config.defaults.timeZone,
    });
    this.rules = rules;
    // Auto-remediation: a fired rule's action runs after the alert is committed.
    const remediation = new RemediationRunner(alerts, opts.clock, opts.log);
    this.remediation = remediation;
    rules.onFired((alert, r) => {
      if (r.action) remediation.run(alert, r.action);
    });
    const rollupCache = new RollupCache(store);
    // The label values the previous run tracked come back from its rollups, so the cap holds across restarts.
    const maxLabelValues = opts.config.ingest.maxLabelValues;
    const now = opts.clock.now();
    const labelCap = new LabelCap(
      maxLabelValues,
      loadLabelSeed(dbFile, maxLabelValues, Math.min(now, store.maxEventTs() ?? now)),
    );
    this.metrics.labels = () => labelCap.stats();
    const labels = { cap: labelCap, alerts: new LabelCardinalityAlerts(alerts, store, opts.clock, maxLabelValues) };
    const genaiConfig = opts.config.prometheus.metrics;
    const genai = genaiConfig.enabled ? new GenAiMetrics(genaiConfig.maxSeries) : undefined;
    const ingest = new IngestPipeline(store, rollupCache, rules, this.metrics, opts.clock, opts.log, {
      eventTime,
      labels,
      ...(genai ? { genai } : {}),
    });
    this.maintenance = new RollupMaintenance(store, rollupCache, rules, opts.config.rollups, opts.clock, opts.log);
    // The shared token, and each person's own when the config lists users.
    const auth = new Authenticator(opts.token, opts.config.users);
    if (auth.hasUsers()) {
      opts.log(
        `auth: ${opts.config.users.length} per-user tokens; a stream's hello must name the token's user; the shared token opens no stream`,
      );
    }
    const postmortems = new PostmortemService({
      store: openPostmortemStore(dbFile),
      clock: opts.clock,
      runbookFor: (alert) => runbookForAlert(alert, runbooks.list().runbooks) ?? undefined,
      timeZone: () => teamTimeZone(rotation.effective(), opts.config.escalation.businessHours),
      commandRetentionMs: opts.config.retention.eventLog,
    });
    this.postmortems = postmortems;
    const hub = new StreamHub(
      {
        auth,
        postmortems,
        heartbeatMs: opts.config.stream.heartbeat,
        deadAfterMs: opts.config.stream.deadAfter,
        log: opts.log,
        rotation,
        incidents,
        health,
      },
      store,
      alerts,
      this.metrics,
      opts.clock,
    );
    this.hub = hub;
    rotation.onChanged((at) => hub.rotationChanged(at));
    postmortems.onChanged((at) => hub.postmortemsChanged(at));
    // A crash between an ingest commit and its rule evaluation leaves minutes unevaluated; do them now.
    rules.run(new Map());

    this.stopAlertMetrics = alerts.onCommitted((entries) => this.metrics.ingest.alertEntries(entries));
    const evals = new EvalRecorder(store, opts.clock, this.metrics.ingest, opts.log, opts.config.evals.maxSuites);
    this.evals = evals;
    // eval-accuracy judges each run as it lands (runs do not wait for the traffic watermark).
    this.stopEvalRules = evals.onRecorded(() => rules.evaluateEvalsNow());
    const runbooks = new RunbookLibrary({
      dir: opts.config.runbooks.dir !== undefined ? resolve(opts.config.runbooks.dir) : BUNDLED_RUNBOOKS_DIR,
      clock: opts.clock,
      rescanAfterMs: opts.config.runbooks.rescanAfter,
      log: opts.log,
    });
    const integrations = opts.config.integrations;
    const ingestRoutes = {
      ingest,
      metrics: this.metrics,
      evals,
      alertmanager: new AlertmanagerIntake({
        store,
        alerts,
        clock: opts.clock,
        metrics: this.metrics.ingest,
        defaultTier: integrations.alertmanager.defaultTier,
        isRunbook: (id: string) => runbooks.get(id) !== null,
        eventTime,
      }),
      eventsV2: new EventsV2Intake({
        store,
        alerts,
        clock: opts.clock,
        metrics: this.metrics.ingest,
        routingKeys: integrations.eventsV2.routingKeys,
        eventTime,
      }),
      maxBodyBytes: opts.config.ingest.maxBodyBytes,
      maxBatchEvents: opts.config.ingest.maxBatchEvents,
      unauthenticated: {
        budget: new BodyBudget(opts.config.server.unauthenticatedBodyBytes),
        timeoutMs: opts.config.server.unauthenticatedBodyTimeout,
      },
    };
    const seriesSource = opts.config.series.source;
    const handler = createHandler({
      ingestRoutes,
      auth,
      store,
      ingest,
      metrics: this.metrics,
      maxBodyBytes: opts.config.ingest.maxBodyBytes,
      maxBatchEvents: opts.config.ingest.maxBatchEvents,
      log: opts.log,
      series,
      chartRules: chartRulesFromConfig(opts.config.rules),
      runbooks,
      rotation,
      incidents,
      health,
      postmortems,
      ...(genai ? { genai } : {}),
      ...(seriesSource.kind === 'prometheus' ? { promSeries: new PrometheusSeries(seriesSource) } : {}),
    });
    const server = createCollectorServer(opts.config.server, (req, res) => {
      this.requestsInFlight += 1;
      res.once('close', () => (this.requestsInFlight -= 1));
      handler(req, res);
    });
    this.server = server;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    server.on('upgrade', (req, socket, head) => hub.handleUpgrade(req, socket, head));
    hub.start();
    // Overdue deadlines (the collector was down) fire now, in order, before clients connect.
    scheduler.start();
    this.retention = new LogRetention({ store, retention: opts.config.retention, clock: opts.clock, log: opts.log });
    this.retention.start();
    this.maintenance.start();
    this.evalScheduler = new EvalScheduler({
      jobs: opts.config.evals.jobs,
      timeZone: opts.config.defaults.timeZone,
      store,
      alerts,
      recorder: evals,
      metrics: this.metrics.ingest,
      clock: opts.clock,
      log: opts.log,
    });
    this.evalScheduler.start();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    return { port: typeof addr === 'object' && addr ? addr.port : opts.port };
  }

  async dispose(): Promise<void> {
    this.maintenance?.dispose();
    this.maintenance = undefined;
    this.stopEvalRules?.();
    await this.remediation?.dispose();
    this.remediation = undefined;
    // Eval children are killed first: their results must not land in a closing store.
    await this.evalScheduler?.dispose();
    this.evalScheduler = undefined;
    this.stopAlertMetrics?.();
    // In-flight Alertmanager calls are bounded by integrations.alertmanager.timeout.
    await this.amSilences?.dispose();
    this.amSilences = undefined;
    this.stopRearm?.();
    this.stopSilenceRearm?.();
    this.escalation?.dispose();
    this.escalation = undefined;
    this.retention?.dispose();
    this.retention = undefined;
    await this.hub?.dispose();
    this.hub = undefined;
    const server = this.server;
    this.server = undefined;
    if (server) {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      // In-flight requests get a moment to finish; then the connections go.
      const timer = setTimeout(() => {
        for (const s of this.sockets) s.destroy();
      }, 2_000);
      await closed;
      clearTimeout(timer);
    }
    await this.checkpointer?.dispose();
    this.checkpointer = undefined;
    this.series?.close();
    this.series = undefined;
    this.rotation?.close();
    this.rotation = undefined;
    this.health?.close();
    this.health = undefined;
    this.postmortems?.close();
    this.postmortems = undefined;
    this.store?.close();
    this.store = undefined;
  }
}

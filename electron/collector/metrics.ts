import { IngestMetrics, LabeledCounter } from './ingest/ingest-metrics.js';
import type { CheckpointStats } from './store/wal-checkpointer.js';

/** The collector's own counters, exposed as Prometheus text at GET /metrics. */
export class Metrics {
  eventsIngested = 0;
  batchesIngested = 0;
  unpricedEvents = 0;
  alertsFired = 0;
  commandsApplied = 0;
  wsFramesRejected = 0;
  /** Event time (issue 11): refused as too far ahead; stored ones skipped by the rules; late ones. */
  eventsFutureRefused = 0;
  eventsFutureSkipped = 0;
  eventsLate = 0;
  /** Rule checks that threw: that rule and scope kept their state for the minute, the others went on. */
  ruleCheckFailures = 0;
  /** Stream connections closed for sending frames faster than their bucket allows. */
  wsRateLimited = 0;
  /** Stream hellos refused: a user token naming someone else, or the shared token where users exist. */
  wsHelloForbidden = 0;
  /** Snapshot pages sent on /v1/stream. */
  wsSnapshotPages = 0;
  readonly rejectedRequests = new Map<string, number>();
  /** Requests per route/code, events by source, spans, eval runs, alerts by source/tier (issue 4). */
  readonly ingest = new IngestMetrics();
  /** Incidents not yet resolved (issue 12; read at render time). */
  incidentsOpen: () => number = () => 0;
  /** Incident notifications by kind: a ring's reason (opened, promoted, escalated, …), `renotify`, `update`. */
  readonly incidentNotifications = new LabeledCounter(
    'vigil_incident_notifications_total',
    'Incident notifications: rings by reason, re-notifications and silent text updates.',
  );
  /** Read at render time so the gauge is never stale. */
  wsClients: () => number = () => 0;
  /** Per capped label: distinct values tracked and events folded into `other` (read at render time). */
  labels: () => readonly { label: string; values: number; overflowEvents: number }[] = () => [];
  /** The WAL checkpointer's latest figures; undefined when it does not run (read at render time). */
  wal: () => (CheckpointStats & { pageSize: number }) | undefined = () => undefined;

  reject(code: string): void {
    this.rejectedRequests.set(code, (this.rejectedRequests.get(code) ?? 0) + 1);
  }

  render(): string {
    const lines: string[] = [];
    const metric = (type: 'counter' | 'gauge', name: string, help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${value}`);
    };
    const counter = (name: string, help: string, value: number): void => metric('counter', name, help, value);
    const gauge = (name: string, help: string, value: number): void => metric('gauge', name, help, value);
    counter('vigil_events_ingested_total', 'LLM events committed to SQLite.', this.eventsIngested);
    counter('vigil_ingest_batches_total', 'Accepted POST /v1/events batches.', this.batchesIngested);
    counter(
      'vigil_events_unpriced_total',
      'Events whose model is not in the price table (cost unknown).',
      this.unpricedEvents,
    );
    counter('vigil_alerts_fired_total', 'Alerts fired by rules.', this.alertsFired);
    counter('vigil_commands_applied_total', 'Stream commands applied (first time per id).', this.commandsApplied);
    counter('vigil_ws_frames_rejected_total', 'Invalid frames received on /v1/stream.', this.wsFramesRejected);
    counter(
      'vigil_events_future_refused_total',
      'Events, spans and eval runs refused: dated beyond the clock plus ingest.maxFutureSkew.',
      this.eventsFutureRefused,
    );
    counter(
      'vigil_events_future_skipped_total',
      'Stored events dated beyond the clock plus ingest.maxFutureSkew that the rules skipped (older versions stored them).',
      this.eventsFutureSkipped,
    );
    counter(
      'vigil_events_late_total',
      'Events accepted into rollups for minutes the rules had already evaluated: in charts, not in alerts.',
      this.eventsLate,
    );
    counter(
      'vigil_rule_check_failures_total',
      'Rule checks that threw (a bug): that rule and scope kept their state for the minute; every other rule still decided.',
      this.ruleCheckFailures,
    );
    counter(
      'vigil_ws_rate_limited_total',
      'Stream connections closed for sending frames too fast.',
      this.wsRateLimited,
    );
    counter(
      'vigil_ws_hello_forbidden_total',
      "Stream hellos refused: the token is not that user's.",
      this.wsHelloForbidden,
    );
    counter('vigil_ws_snapshot_pages_total', 'Snapshot pages sent on /v1/stream.', this.wsSnapshotPages);
    lines.push('# HELP vigil_requests_rejected_total HTTP requests answered with an error, by code.');
    lines.push('# TYPE vigil_requests_rejected_total counter');
    for (const [code, n] of [...this.rejectedRequests].sort())
      lines.push(`vigil_requests_rejected_total{code="${code}"} ${n}`);
    gauge('vigil_ws_clients', 'Connected stream clients.', this.wsClients());
    gauge('vigil_incidents_open', 'Incidents not yet resolved.', this.incidentsOpen());
    lines.push(...this.incidentNotifications.render());
    const labels = this.labels();
    if (labels.length > 0) {
      // Label names are a fixed list (label-cap.ts), never sender text: no escaping needed.
      lines.push(
        '# HELP vigil_label_overflow_total Events whose label value was beyond ingest.maxLabelValues and counted as "other".',
        '# TYPE vigil_label_overflow_total counter',
        ...labels.map((l) => `vigil_label_overflow_total{label="${l.label}"} ${l.overflowEvents}`),
        '# HELP vigil_label_values Distinct values tracked per label (at most ingest.maxLabelValues).',
        '# TYPE vigil_label_values gauge',
        ...labels.map((l) => `vigil_label_values{label="${l.label}"} ${l.values}`),
      );
    }
    const wal = this.wal();
    // A backlog that keeps growing means checkpoints cannot keep up (a reader pins the WAL).
    const walMetrics: [type: 'counter' | 'gauge', name: string, help: string, value: number][] = wal
      ? [
          [
            'gauge',
            'vigil_wal_bytes',
            'SQLite WAL size after the newest checkpoint pass.',
            wal.walFrames * wal.pageSize,
          ],
          [
            'gauge',
            'vigil_wal_backlog_bytes',
            'WAL bytes not yet copied into the database file.',
            wal.backlog * wal.pageSize,
          ],
          ['counter', 'vigil_wal_checkpoints_total', 'WAL checkpoint passes run off the request path.', wal.passes],
          [
            'counter',
            'vigil_wal_truncates_total',
            'TRUNCATE checkpoints (the WAL grew past its bound).',
            wal.truncates,
          ],
          [
            'counter',
            'vigil_wal_writer_finishes_total',
            'Checkpoints finished by the writer so the WAL rewinds.',
            wal.finishes,
          ],
          ['counter', 'vigil_wal_checkpoint_errors_total', 'Failed checkpoint passes.', wal.errors],
        ]
      : [];
    for (const [type, name, help, value] of walMetrics) metric(type, name, help, value);
    // The collector's own memory (bench/rss.ts reads it; "memory stays bounded however long it runs").
    gauge('process_resident_memory_bytes', 'Resident memory size in bytes.', process.memoryUsage.rss());
    lines.push(...this.ingest.render());
    return lines.join('\n') + '\n';
  }
}

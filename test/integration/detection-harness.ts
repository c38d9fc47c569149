import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { HOUR_MS, MINUTE_MS, type Clock } from '../../shared/clock.js';
import { defaultCollectorConfig, type CollectorConfig } from '../../shared/config/collector-config.js';
import type { Alert } from '../../shared/protocol/alert.js';
import type { LlmEvent } from '../../shared/protocol/events.js';
import { EvalResult } from '../../shared/protocol/evals.js';
import type { Fleet } from '../../shared/sim/fleet.js';
import type { Traffic } from '../../shared/sim/traffic.js';
import { seriesKeyString } from '../../shared/rollup/window.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { IngestPipeline } from '../../electron/collector/ingest/ingest-pipeline.js';
import { RollupMaintenance } from '../../electron/collector/maintenance/rollup-maintenance.js';
import { Metrics } from '../../electron/collector/metrics.js';
import { RollupCache } from '../../electron/collector/rollup/rollup-cache.js';
import { RuleRuntime } from '../../electron/collector/rules/rule-runtime.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { CollectorStore } from '../../electron/collector/store/store.js';
import { EscalateStage } from '../../electron/collector/incidents/escalate-stage.js';
import { IncidentService } from '../../electron/collector/incidents/incident-service.js';

/** The notify pipeline (issue 12) on an AlertService, as the collector wires it. */
export function wireIncidents(
  store: CollectorStore,
  alerts: AlertService,
  clock: Clock,
  config: CollectorConfig = defaultCollectorConfig(),
): IncidentService {
  const incidents = new IncidentService({
    store,
    alerts,
    config: { grouping: config.grouping, inhibit: config.inhibit, silences: config.silences },
    escalation: new EscalateStage(store.escalations, { escalation: config.escalation, rotation: config.rotation }),
    clock,
    log: () => undefined,
    autoResolve: (ruleId) => config.escalation.autoResolve.rules[ruleId] ?? config.escalation.autoResolve.default,
  });
  alerts.setPipeline(incidents);
  incidents.start();
  return incidents;
}

/**
 * The collector's real ingest → rollup → rules → alerts chain, in-process, on a real SQLite
 * file, with a clock that follows the replayed event time (so the maintenance tick downsamples
 * and prunes as it would live). Replays simulator traffic chunk by chunk.
 */
export class Replay {
  readonly store: CollectorStore;
  readonly rules: RuleRuntime;
  private readonly pipeline: IngestPipeline;
  private readonly maintenance: RollupMaintenance;
  private now: number;
  private nextMaintenance: number;
  events = 0;
  /**
   * Wall time (ms) `feedBuckets` spent generating the fleet's buckets, storing them, in the rule
   * runtime and in maintenance: where a replayed month goes (bench/detection-fleet.ts prints it).
   */
  readonly spent = { generate: 0, store: 0, rules: 0, maintenance: 0 };

  constructor(
    readonly dir: string,
    start: number,
    config: CollectorConfig = defaultCollectorConfig(),
    /** Run the notify pipeline too (alerts get incidents; bench: pages per incident). */
    opts: { incidents?: boolean } = {},
  ) {
    this.now = start;
    this.nextMaintenance = start + HOUR_MS;
    const clock: Clock = { now: () => this.now };
    this.store = openStore(join(dir, 'collector.db'), start);
    const metrics = new Metrics();
    const alerts = new AlertService(this.store, clock, 'collector');
    if (opts.incidents) wireIncidents(this.store, alerts, clock, config);
    this.rules = new RuleRuntime(this.store, alerts, metrics, config.rules, { clock });
    const cache = new RollupCache(this.store);
    this.pipeline = new IngestPipeline(this.store, cache, this.rules, metrics, clock, () => undefined);
    this.maintenance = new RollupMaintenance(this.store, cache, this.rules, config.rollups, clock, () => undefined);
    this.rules.run(new Map());
  }

  /** Replays [from, to) of `traffic` in `chunkMs` steps; evals are stored and judged as they land. */
  feed(traffic: Traffic, from: number, to: number, chunkMs = 5 * MINUTE_MS, until?: () => boolean): void {
    for (let t = from; t < to; t += chunkMs) {
      const end = Math.min(to, t + chunkMs);
      const { events, evals } = traffic.generate(t, end);
      this.now = end;
      // The generator's events are valid by construction (ts already epoch ms): skip HTTP parsing.
      if (events.length) this.pipeline.ingest(events as LlmEvent[]);
      this.events += events.length;
      if (evals.length) {
        this.store.evals.insertEvalRuns(
          evals.map((e) => EvalResult.parse(e)),
          'http',
          end,
        );
        this.rules.evaluateEvalsNow();
      }
      if (end >= this.nextMaintenance) {
        this.maintenance.tick();
        this.nextMaintenance = end + HOUR_MS;
      }
      if (until?.()) return;
    }
  }

  /**
   * Replays [from, to) of a bucket-level fleet (shared/sim/fleet.ts) in `chunkMs` steps: the
   * buckets go to the store and the rule runtime exactly as ingest would commit them (no raw
   * events: nothing here needs the event log), so a month of 30 services takes seconds.
   */
  feedBuckets(fleet: Fleet, from: number, to: number, chunkMs = 30 * MINUTE_MS): void {
    const spent = this.spent;
    let mark = performance.now();
    const lap = (phase: keyof typeof spent): void => {
      const t = performance.now();
      spent[phase] += t - mark;
      mark = t;
    };
    for (let t = from; t < to; t += chunkMs) {
      const end = Math.min(to, t + chunkMs);
      const buckets = fleet.generate(t, end);
      lap('generate');
      this.now = end;
      if (buckets.length) {
        const touched = new Map<string, number>();
        let maxTs = -Infinity;
        for (const b of buckets) {
          const k = seriesKeyString(b);
          const prev = touched.get(k);
          if (prev === undefined || b.minute < prev) touched.set(k, b.minute);
          if (b.minute > maxTs) maxTs = b.minute;
          this.events += b.count;
        }
        // The newest bucket holds events up to the end of its minute.
        this.store.ingestBatch([], buckets, end, maxTs + MINUTE_MS - 1);
        lap('store');
        this.rules.run(touched, { buckets, events: [] });
        lap('rules');
      }
      const evals = fleet.evals(t, end);
      lap('generate');
      if (evals.length) {
        this.store.evals.insertEvalRuns(
          evals.map((e) => EvalResult.parse(e)),
          'http',
          end,
        );
        lap('store');
        this.rules.evaluateEvalsNow();
        lap('rules');
      }
      if (end >= this.nextMaintenance) {
        this.maintenance.tick();
        this.nextMaintenance = end + HOUR_MS;
        lap('maintenance');
      }
    }
  }

  /** Advances the wall clock without traffic and runs maintenance (the quiet-gap path). */
  idle(to: number): void {
    this.now = to;
    this.maintenance.tick();
  }

  /** The replay's clock (the end of the last chunk fed). */
  get clockNow(): number {
    return this.now;
  }

  alerts(): Alert[] {
    return this.store.listAlerts();
  }

  close(): void {
    this.store.close();
  }
}

export function tempDir(prefix = 'vigil-detect-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A copy of a closed replay's database in a fresh dir (a snapshot to branch scenarios from). */
export function branch(fromDir: string): string {
  const dir = tempDir();
  for (const f of ['collector.db', 'collector.db-wal']) {
    if (existsSync(join(fromDir, f))) copyFileSync(join(fromDir, f), join(dir, f));
  }
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

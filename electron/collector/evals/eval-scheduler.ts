import type { ChildProcess } from 'node:child_process';
import type { Clock } from '../../../shared/clock.js';
import type { EvalJobConfig } from '../../../shared/config/collector-config.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { IngestMetrics } from '../ingest/ingest-metrics.js';
import type { CollectorStore } from '../store/store.js';
import type { EvalRecorder } from './eval-recorder.js';
import { killGroup, runJob, type JobResult } from './run-job.js';
import { firstDue, nextDue, parseSchedule, type Schedule } from './schedule.js';

/** The rule id, runbook id and tier of "an eval job itself failed" (issue 4: it is itself an alert). */
export const EVAL_JOB_FAILED = { ruleId: 'eval-job-failed', runbookId: 'eval-job-failed', tier: 'ticket' } as const;

/**
 * The timer never sleeps longer than this: after a laptop sleep or a clock jump the schedule
 * follows the (injected) clock within a minute instead of trusting one long setTimeout.
 */
const MAX_SLEEP_MS = 60_000;

export interface EvalSchedulerDeps {
  jobs: readonly EvalJobConfig[];
  timeZone: string;
  store: CollectorStore;
  alerts: AlertService;
  recorder: EvalRecorder;
  metrics: IngestMetrics;
  clock: Clock;
  log: (msg: string) => void;
}

interface Job {
  config: EvalJobConfig;
  schedule: Schedule;
  running?: Promise<void>;
  child?: ChildProcess;
}

/**
 * Runs the configured eval jobs on their schedules. Next-due times live in SQLite (`eval_jobs`),
 * advanced before each run, so a restart neither skips nor repeats a slot (at most once per
 * slot even if the collector dies mid-run). A failed, timed-out or unparsable run opens an
 * `eval-job-failed` ticket (one per suite while open); the next good run resolves it.
 */
export class EvalScheduler {
  private readonly jobs: Job[];
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly deps: EvalSchedulerDeps) {
    this.jobs = deps.jobs.map((config) => ({ config, schedule: parseSchedule(config.schedule) }));
  }

  start(): void {
    const now = this.deps.clock.now();
    for (const job of this.jobs) {
      const st = this.deps.store.evals.evalJobState(job.config.suite);
      if (!st || st.schedule !== job.config.schedule) {
        this.deps.store.evals.putEvalJobState(job.config.suite, {
          ...st,
          schedule: job.config.schedule,
          nextDueAt: firstDue(job.schedule, now, this.deps.timeZone),
        });
      }
    }
    this.arm(0);
  }

  /** Runs every job that is due now (and not already running); resolves when those runs are stored. */
  async runDue(): Promise<void> {
    const now = this.deps.clock.now();
    const started: Promise<void>[] = [];
    for (const job of this.jobs) {
      if (job.running || this.disposed) continue;
      const st = this.deps.store.evals.evalJobState(job.config.suite);
      if (!st || st.nextDueAt > now) continue;
      this.deps.store.evals.putEvalJobState(job.config.suite, {
        ...st,
        nextDueAt: nextDue(job.schedule, st.nextDueAt, now, this.deps.timeZone),
      });
      const run = this.run(job).finally(() => {
        job.running = undefined;
        job.child = undefined;
      });
      job.running = run;
      started.push(run);
    }
    await Promise.all(started);
  }

  /** When the next job is due (for tests and logs). */
  nextDueAt(suite: string): number | undefined {
    return this.deps.store.evals.evalJobState(suite)?.nextDueAt;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const job of this.jobs) if (job.child) killGroup(job.child, 'SIGKILL');
    await Promise.all(this.jobs.map((j) => j.running?.catch(() => undefined)));
  }

  private arm(delayMs: number): void {
    if (this.disposed || this.jobs.length === 0) return;
    this.timer = setTimeout(() => {
      this.runDue()
        .catch((err: unknown) => this.deps.log(`eval scheduler: ${(err as Error).stack ?? String(err)}`))
        .finally(() => this.arm(this.sleepMs()));
    }, delayMs);
    // Intentionally not unref'd: the collector's dispose clears it.
  }

  private sleepMs(): number {
    const now = this.deps.clock.now();
    let soonest = MAX_SLEEP_MS;
    for (const job of this.jobs) {
      const due = this.deps.store.evals.evalJobState(job.config.suite)?.nextDueAt;
      if (due !== undefined && !job.running) soonest = Math.min(soonest, Math.max(0, due - now));
    }
    // Jobs still running are re-checked on this cadence too.
    return soonest;
  }

  private async run(job: Job): Promise<void> {
    const c = job.config;
    const result = await runJob(
      { command: c.command, timeoutMs: c.timeout, ...(c.cwd ? { cwd: c.cwd } : {}), ...(c.env ? { env: c.env } : {}) },
      (child) => (job.child = child),
    );
    if (this.disposed) return; // killed by dispose: not the job's fault, record nothing
    // ok runs are counted by the recorder, with the posted ones.
    if (result.outcome !== 'ok') this.deps.metrics.evalRuns.inc({ origin: 'scheduler', outcome: result.outcome });
    this.settle(c.suite, result);
  }

  private settle(suite: string, result: JobResult): void {
    const { store, alerts, clock, recorder } = this.deps;
    const now = clock.now();
    // Stored (and announced to the eval rules) before the alert bookkeeping, in its own commit.
    if (result.outcome === 'ok')
      recorder.record([{ suite, ts: now, accuracy: result.output.accuracy, ...pick(result.output) }], 'scheduler');
    alerts.transact(() => {
      const st = store.evals.evalJobState(suite);
      if (!st) return;
      let failingAlertId = st.failingAlertId;
      if (result.outcome === 'ok') {
        if (failingAlertId) alerts.resolveByRule(failingAlertId, now, 'eval job succeeded again');
        failingAlertId = undefined;
      } else {
        this.deps.log(`eval job "${suite}" ${result.outcome}: ${result.reason}`);
        const open = failingAlertId !== undefined && store.getAlert(failingAlertId)?.status !== 'resolved';
        if (!open) {
          failingAlertId = alerts.fire({
            ruleId: EVAL_JOB_FAILED.ruleId,
            tier: EVAL_JOB_FAILED.tier,
            source: 'evals',
            summary: `Eval job "${suite}" failed: ${result.reason}`.slice(0, 1024),
            labels: { suite, reason: result.outcome },
            runbookId: EVAL_JOB_FAILED.runbookId,
            firedAt: now,
          }).id;
        }
      }
      store.evals.putEvalJobState(suite, {
        schedule: st.schedule,
        nextDueAt: st.nextDueAt,
        lastRunAt: now,
        lastOutcome: result.outcome === 'ok' ? 'ok' : `${result.outcome}: ${result.reason}`.slice(0, 500),
        ...(failingAlertId ? { failingAlertId } : {}),
      });
    });
  }
}

function pick(o: { total?: number | undefined; passed?: number | undefined }): { total?: number; passed?: number } {
  return {
    ...(o.total !== undefined ? { total: o.total } : {}),
    ...(o.passed !== undefined ? { passed: o.passed } : {}),
  };
}

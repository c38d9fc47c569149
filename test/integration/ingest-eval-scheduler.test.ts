import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EvalJobConfig } from '../../shared/config/collector-config.js';
import { AlertService } from '../../electron/collector/alerts/alert-service.js';
import { EvalRecorder } from '../../electron/collector/evals/eval-recorder.js';
import { EvalScheduler } from '../../electron/collector/evals/eval-scheduler.js';
import { IngestMetrics } from '../../electron/collector/ingest/ingest-metrics.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import type { CollectorStore } from '../../electron/collector/store/store.js';
import { isAlive } from '../fixtures/child-process.js';

/**
 * The eval scheduler against real child processes and a real SQLite file; time is a fake
 * clock the test moves, and `runDue()` is called directly instead of waiting for timers.
 */
const H = 3_600_000;
let dir: string;
let store: CollectorStore;
let clock: { t: number; now(): number };
let metrics: IngestMetrics;
let alerts: AlertService;
const schedulers: EvalScheduler[] = [];

const SCRIPTS = {
  ok: `console.log('warming up'); console.log(JSON.stringify({ accuracy: 0.93, total: 100, passed: 93 }));`,
  fail: `console.error('model endpoint unreachable'); process.exit(1);`,
  garbage: `console.log('all done, no numbers');`,
  // Writes its pid, then never finishes.
  hang: `require('fs').writeFileSync(process.argv[2], String(process.pid)); setInterval(() => {}, 1000);`,
  // Fails until the flag file exists.
  flaky: `const fs = require('fs'); if (!fs.existsSync(process.argv[2])) { console.error('flag missing'); process.exit(1); } console.log('{"accuracy":0.8}');`,
};

function script(name: keyof typeof SCRIPTS): string {
  const file = join(dir, `${name}.cjs`);
  writeFileSync(file, SCRIPTS[name]);
  return file;
}

function scheduler(jobs: unknown[]): EvalScheduler {
  const s = new EvalScheduler({
    jobs: jobs.map((j) => EvalJobConfig.parse(j)),
    timeZone: 'UTC',
    store,
    alerts,
    recorder: new EvalRecorder(store, clock, metrics, () => undefined),
    metrics,
    clock,
    log: () => undefined,
  });
  schedulers.push(s);
  return s;
}

const runs = (suite: string): ReturnType<CollectorStore['evals']['recentEvalRuns']> =>
  store.evals.recentEvalRuns(suite, 0);
const jobAlerts = (suite: string) =>
  store.listAlerts().filter((a) => a.ruleId === 'eval-job-failed' && a.labels.suite === suite);

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-evals-'));
  store = openStore(join(dir, 'collector.db'), 0);
  clock = {
    t: Date.parse('2026-11-20T10:00:00Z'),
    now() {
      return this.t;
    },
  };
  metrics = new IngestMetrics();
  alerts = new AlertService(store, clock, 'collector');
});
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.dispose();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('eval scheduler', () => {
  it('runs an interval job at once, stores its last JSON line, and waits for the next slot', async () => {
    const s = scheduler([{ suite: 'qa', command: [process.execPath, script('ok')], schedule: '1h' }]);
    s.start();
    await s.runDue();
    expect(runs('qa')).toEqual([{ suite: 'qa', ts: clock.t, accuracy: 0.93, total: 100, passed: 93 }]);
    expect(s.nextDueAt('qa')).toBe(clock.t + H);
    await s.runDue();
    expect(runs('qa')).toHaveLength(1);
    clock.t += H;
    await s.runDue();
    expect(runs('qa')).toHaveLength(2);
    expect(store.evals.evalSuites()).toEqual(['qa']);
    expect(metrics.evalRuns.get({ origin: 'scheduler', outcome: 'ok' })).toBe(2);
  });

  it('runs a string command through the shell', async () => {
    const s = scheduler([
      { suite: 'sh', command: `echo hello; echo '{"accuracy": 0.5, "total": 2, "passed": 1}'`, schedule: '1h' },
    ]);
    s.start();
    await s.runDue();
    expect(runs('sh')).toMatchObject([{ accuracy: 0.5, total: 2, passed: 1 }]);
  });

  it('a failing job is a ticket alert, once while it keeps failing, resolved by the next good run', async () => {
    const flag = join(dir, 'flag');
    const s = scheduler([{ suite: 'rag', command: [process.execPath, script('flaky'), flag], schedule: '1h' }]);
    s.start();
    await s.runDue();
    const [alert] = jobAlerts('rag');
    expect(alert).toMatchObject({
      ruleId: 'eval-job-failed',
      tier: 'ticket',
      source: 'evals',
      runbookId: 'eval-job-failed',
      status: 'firing',
      labels: { suite: 'rag', reason: 'failed' },
    });
    expect(alert?.summary).toBe('Eval job "rag" failed: exit code 1: flag missing');
    clock.t += H;
    await s.runDue();
    expect(jobAlerts('rag')).toHaveLength(1);
    expect(runs('rag')).toHaveLength(0);

    writeFileSync(flag, '');
    clock.t += H;
    await s.runDue();
    expect(runs('rag')).toMatchObject([{ accuracy: 0.8 }]);
    expect(jobAlerts('rag')[0]?.status).toBe('resolved');
    expect(store.evals.evalJobState('rag')).toMatchObject({ lastOutcome: 'ok' });
    expect(store.evals.evalJobState('rag')?.failingAlertId).toBeUndefined();
  });

  it('unparsable output and a timeout are failures too; a timed-out job is killed', async () => {
    const pidFile = join(dir, 'pid');
    const s = scheduler([
      { suite: 'garbage', command: [process.execPath, script('garbage')], schedule: '1h' },
      { suite: 'slow', command: [process.execPath, script('hang'), pidFile], schedule: '1h', timeout: 400 },
      { suite: 'missing', command: [join(dir, 'no-such-binary')], schedule: '1h' },
    ]);
    s.start();
    const t0 = performance.now();
    await s.runDue();
    expect(performance.now() - t0).toBeLessThan(5_000);
    expect(jobAlerts('garbage')[0]).toMatchObject({ labels: { reason: 'invalid_output' } });
    expect(jobAlerts('garbage')[0]?.summary).toContain('no JSON result line');
    expect(jobAlerts('slow')[0]).toMatchObject({
      labels: { reason: 'timeout' },
      summary: 'Eval job "slow" failed: timed out after 400 ms',
    });
    expect(jobAlerts('missing')[0]?.summary).toMatch(/Eval job "missing" failed: .*ENOENT/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(false);
    expect(metrics.evalRuns.get({ origin: 'scheduler', outcome: 'timeout' })).toBe(1);
    expect(metrics.evalRuns.get({ origin: 'scheduler', outcome: 'invalid_output' })).toBe(1);
  });

  it('persists next-due times across a restart, and recomputes them when the schedule changes', async () => {
    const job = { suite: 'qa', command: [process.execPath, script('ok')], schedule: '24h' };
    const first = scheduler([job]);
    first.start();
    await first.runDue();
    await first.dispose();
    const due = clock.t + 24 * H;

    clock.t += H; // restarted an hour later
    const second = scheduler([job]);
    second.start();
    expect(second.nextDueAt('qa')).toBe(due);
    await second.runDue();
    expect(runs('qa')).toHaveLength(1);
    await second.dispose();

    const third = scheduler([{ ...job, schedule: 'daily@03:00' }]);
    third.start();
    expect(third.nextDueAt('qa')).toBe(Date.parse('2026-11-21T03:00:00Z'));
  });

  it('dispose kills a running job at once and records nothing', async () => {
    const pidFile = join(dir, 'pid');
    const s = scheduler([
      { suite: 'slow', command: [process.execPath, script('hang'), pidFile], schedule: '1h', timeout: '10m' },
    ]);
    s.start();
    const running = s.runDue();
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(true);
    const t0 = performance.now();
    await s.dispose();
    await running;
    expect(performance.now() - t0).toBeLessThan(2_000);
    expect(isAlive(pid)).toBe(false);
    expect(jobAlerts('slow')).toHaveLength(0);
    expect(runs('slow')).toHaveLength(0);
  });

  it('runs due jobs from its own timer once started', async () => {
    const s = scheduler([{ suite: 'qa', command: [process.execPath, script('ok')], schedule: '1h' }]);
    s.start();
    for (let i = 0; i < 200 && runs('qa').length === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(runs('qa')).toHaveLength(1);
  });
});

import { fmtPct } from './format.js';
import { mean, stdev } from './stats.js';

export const EVAL_ACCURACY_RULE_ID = 'eval-accuracy';

/**
 * Field note: "Tier 1 — page: eval accuracy below threshold". One run aggregates hundreds of
 * items, so one run is a measurement (not "a single failed request"). A run pages when it is
 * below the suite's absolute threshold, or when it drops significantly below the suite's own
 * trailing runs: by at least `minDrop` AND by more than `zScore` standard deviations of those
 * runs (with a binomial floor), so the usual run-to-run jitter never pages (z = 4: ~3e-5 per run).
 */
export const EVAL_ACCURACY_DEFAULTS = {
  threshold: 0.7,
  /** Per-suite absolute thresholds override `threshold`. */
  thresholds: {} as Readonly<Record<string, number>>,
  trailingRuns: 24,
  minTrailingRuns: 6,
  minDrop: 0.08,
  zScore: 4,
  /** Runs further back than this are not part of the trailing baseline. */
  lookbackMs: 7 * 24 * 3_600_000,
  /** Resolve as soon as a run is fine again. */
  forMs: 0,
  keepFiringForMs: 0,
} as const;

export interface EvalRun {
  suite: string;
  ts: number;
  accuracy: number;
  passed?: number;
  total?: number;
}

export interface EvalAccuracyRule {
  threshold: number;
  thresholds: Readonly<Record<string, number>>;
  trailingRuns: number;
  minTrailingRuns: number;
  minDrop: number;
  zScore: number;
}

/** `run` against the runs before it (ascending by ts; only the last `trailingRuns` are used). */
export function evalAccuracyCheck(
  rule: EvalAccuracyRule,
  run: EvalRun,
  before: readonly EvalRun[],
): string | undefined {
  const threshold = rule.thresholds[run.suite] ?? rule.threshold;
  const counts = run.total !== undefined && run.passed !== undefined ? ` (${run.passed}/${run.total})` : '';
  if (run.accuracy < threshold) {
    return `${run.suite} accuracy ${fmtPct(run.accuracy)}${counts} below threshold ${fmtPct(threshold)}`;
  }
  const trailing = before.slice(-rule.trailingRuns).map((r) => r.accuracy);
  if (trailing.length < rule.minTrailingRuns) return undefined;
  const m = mean(trailing) ?? 0;
  const binomialSd = run.total ? Math.sqrt((m * (1 - m)) / run.total) : 0;
  const sd = Math.max(stdev(trailing), binomialSd);
  const drop = m - run.accuracy;
  if (drop < rule.minDrop || drop <= rule.zScore * sd) return undefined;
  return (
    `${run.suite} accuracy ${fmtPct(run.accuracy)}${counts} vs trailing mean ${fmtPct(m)} ` +
    `(-${(100 * drop).toFixed(1)} points, ${(drop / Math.max(sd, 1e-9)).toFixed(1)} sd, over ${trailing.length} runs)`
  );
}

import { fmtPct } from './format.js';
import { median, robustSd } from './stats.js';

export const EVAL_ACCURACY_RULE_ID = 'eval-accuracy';

/**
 * Field note: "Tier 1 — page: eval accuracy below threshold". One run aggregates hundreds of
 * items, so one run is a measurement (not "a single failed request"). A run pages when it is
 * below the suite's absolute threshold, or when it drops significantly below the suite's own
 * trailing runs: by at least `minDrop` AND by more than `zScore` standard deviations of the
 * suite's runs (with a binomial floor), so the usual run-to-run jitter never pages.
 * The level is local (the median of the last `trailingRuns`), the spread is not: a standard
 * deviation of 24 runs is itself noisy, and one low estimate plus a 4-sd threshold paged a
 * healthy suite (79.0% against 88.3% on 300 items: 5.0 of the binomial floor's sd, 4.4 of the
 * suite's real spread). So the spread comes from up to `sdRuns` runs (a week of hourly runs),
 * the drop is measured against it with the level's own uncertainty added, and z = 5: a run's
 * accuracy on a few hundred items is binomial with a heavier lower tail, and 30 days of three
 * simulated hourly suites held a run 4.2 sd below their mean. A 20-point drop is ~9 sd.
 * Both are robust (a median, and the median absolute deviation): one bogus 0.0 run from a broken
 * harness, or an earlier incident's runs, would otherwise widen the spread (or drag the level)
 * for a week and hide the next real drop above the threshold.
 */
export const EVAL_ACCURACY_DEFAULTS = {
  threshold: 0.7,
  /** Per-suite absolute thresholds override `threshold`. */
  thresholds: {} as Readonly<Record<string, number>>,
  trailingRuns: 24,
  minTrailingRuns: 6,
  /** Runs the spread is estimated from (the mean uses `trailingRuns`). */
  sdRuns: 168,
  minDrop: 0.08,
  zScore: 5,
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
  sdRuns: number;
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
  const m = median(trailing) ?? 0;
  const binomialSd = run.total ? Math.sqrt((m * (1 - m)) / run.total) : 0;
  const spread = before.slice(-Math.max(rule.sdRuns, rule.trailingRuns)).map((r) => r.accuracy);
  // The run's own noise plus that of the median it is compared with (π/2n of the variance).
  const sd = Math.max(robustSd(spread), binomialSd) * Math.sqrt(1 + Math.PI / (2 * trailing.length));
  const drop = m - run.accuracy;
  if (drop < rule.minDrop || drop <= rule.zScore * sd) return undefined;
  return (
    `${run.suite} accuracy ${fmtPct(run.accuracy)}${counts} vs trailing median ${fmtPct(m)} ` +
    `(-${(100 * drop).toFixed(1)} points, ${(drop / Math.max(sd, 1e-9)).toFixed(1)} sd, over ${trailing.length} runs)`
  );
}

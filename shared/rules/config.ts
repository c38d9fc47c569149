import { z } from 'zod';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { Duration } from '../config/duration.js';
import { Tier } from '../protocol/alert.js';
import { COST_ANOMALY_DEFAULTS } from './cost-anomaly.js';
import { EVAL_ACCURACY_DEFAULTS } from './eval-accuracy.js';
import { LATENCY_P95_DEFAULTS } from './latency-p95.js';
import { NOVEL_ERROR_DEFAULTS } from './novel-error.js';
import { OUTPUT_DRIFT_DEFAULTS } from './output-drift.js';
import { PROVIDER_DOWN_DEFAULTS } from './provider-down.js';
import { NEGATIVE_FEEDBACK_DEFAULTS, RETRIEVAL_DROP_DEFAULTS } from './rate-shift.js';
import {
  COST_TREND_DEFAULTS,
  EVAL_COVERAGE_DEFAULTS,
  INPUT_MIX_TREND_DEFAULTS,
  MODEL_VERSION_CHANGE_DEFAULTS,
} from './weekly.js';

/**
 * The `rules.*` sections of the collector config (spread into RulesConfig in
 * shared/config/collector-config.ts). Defaults are the named constants of each rule module.
 */

/** Auto-remediation: what runs when the rule fires. The alert JSON is the request body / stdin. */
export const RemediationAction = z.union([
  z.strictObject({
    webhook: z.strictObject({
      url: z.url({ protocol: /^https?$/ }),
      method: z.enum(['POST', 'PUT']).default('POST'),
      headers: z.record(z.string(), z.string()).optional(),
    }),
    timeout: Duration.default(10_000),
  }),
  z.strictObject({
    /** argv; no shell. */
    command: z.array(z.string().min(1)).min(1),
    timeout: Duration.default(30_000),
  }),
]);
export type RemediationAction = z.output<typeof RemediationAction>;

/** Fields every rule has. `pageIfPersists`: the alert stays `pending` (not paging) this long first. */
function base(d: { forMs: number; keepFiringForMs: number }, tier: Tier) {
  return {
    enabled: z.boolean().default(true),
    tier: Tier.default(tier),
    for: Duration.default(d.forMs),
    keepFiringFor: Duration.default(d.keepFiringForMs),
    action: RemediationAction.optional(),
    pageIfPersists: Duration.optional(),
  };
}

const Fraction = z.number().gt(0).lt(1);
const Positive = z.number().positive();
const Count = z.number().int().positive();
/** One-sided confidence of a statistical decision (issue 13): 0.5 < c < 1. */
const Confidence = z.number().gt(0.5).lt(1);

export const LatencyP95RuleConfig = z.strictObject({
  ...base(LATENCY_P95_DEFAULTS, 'page'),
  factor: Positive.default(LATENCY_P95_DEFAULTS.factor),
  sloFactor: Positive.default(LATENCY_P95_DEFAULTS.sloFactor),
  window: Duration.default(LATENCY_P95_DEFAULTS.windowMs),
  /** Superseded by `confidence` (issue 13): accepted for old configs, ignored. */
  minSamples: Count.optional(),
  /** One-sided confidence that over 5% of the window's requests are slower than the limit (before Bonferroni). */
  confidence: Confidence.default(LATENCY_P95_DEFAULTS.confidence),
  baseline: Duration.default(LATENCY_P95_DEFAULTS.baselineMs),
  minHourSamples: Count.default(LATENCY_P95_DEFAULTS.minHourSamples),
  minBaselineHours: Count.default(LATENCY_P95_DEFAULTS.minBaselineHours),
  /** Per service/provider/model p95 promises; the most specific match applies. */
  slo: z
    .array(
      z.strictObject({
        service: z.string().optional(),
        provider: z.string().optional(),
        model: z.string().optional(),
        p95: Duration,
      }),
    )
    .default([]),
});

export const CostAnomalyRuleConfig = z.strictObject({
  ...base(COST_ANOMALY_DEFAULTS, 'page'),
  rateFactor: Positive.default(COST_ANOMALY_DEFAULTS.rateFactor),
  shortWindow: Duration.default(COST_ANOMALY_DEFAULTS.shortWindowMs),
  minSamples: Count.default(COST_ANOMALY_DEFAULTS.minSamples),
  minWindowCostUsd: z.number().nonnegative().default(COST_ANOMALY_DEFAULTS.minWindowCostUsd),
  dailyFactor: Positive.default(COST_ANOMALY_DEFAULTS.dailyFactor),
  trailingDays: Count.default(COST_ANOMALY_DEFAULTS.trailingDays),
  minHistoryDays: Count.default(COST_ANOMALY_DEFAULTS.minHistoryDays),
  minDayFraction: Fraction.default(COST_ANOMALY_DEFAULTS.minDayFraction),
});

export const ProviderDownRuleConfig = z
  .strictObject({
    ...base(PROVIDER_DOWN_DEFAULTS, 'page'),
    /** The longest span the evidence may widen to at low traffic (at most 2 h: the minute ring). */
    window: Duration.default(PROVIDER_DOWN_DEFAULTS.windowMs),
    fastWindow: Duration.default(PROVIDER_DOWN_DEFAULTS.fastWindowMs),
    /** Superseded by the statistical decisions (issue 13): accepted for old configs, ignored. */
    minSamples: Count.optional(),
    /** Superseded by `normalFailureShare` and `outageConfidence` (issue 13): accepted, ignored. */
    minAttempts: Count.optional(),
    /** Total outage: the failure share a healthy provider reaches at worst (the null of q^n). */
    normalFailureShare: Fraction.default(PROVIDER_DOWN_DEFAULTS.normalFailureShare),
    /** Total outage: the provider's own failure share is measured over this trailing span. */
    baseline: Duration.default(PROVIDER_DOWN_DEFAULTS.baselineMs),
    /** Total outage: one-sided confidence that n failures in a row are not a healthy provider's. */
    outageConfidence: Confidence.default(PROVIDER_DOWN_DEFAULTS.outageConfidence),
    dominantShare: Fraction.default(PROVIDER_DOWN_DEFAULTS.dominantShare),
    confidence: Confidence.default(PROVIDER_DOWN_DEFAULTS.confidence),
    errorTypes: z
      .array(z.string().min(1))
      .min(1)
      .default([...PROVIDER_DOWN_DEFAULTS.errorTypes]),
  })
  .refine((c) => 1 - c.outageConfidence < c.normalFailureShare, {
    message: '1 - outageConfidence must be below normalFailureShare (else one failed request could page)',
    path: ['outageConfidence'],
  });

export const EvalAccuracyRuleConfig = z.strictObject({
  ...base(EVAL_ACCURACY_DEFAULTS, 'page'),
  threshold: z.number().min(0).max(1).default(EVAL_ACCURACY_DEFAULTS.threshold),
  thresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
  trailingRuns: Count.default(EVAL_ACCURACY_DEFAULTS.trailingRuns),
  minTrailingRuns: Count.default(EVAL_ACCURACY_DEFAULTS.minTrailingRuns),
  /** Runs the spread (standard deviation) is estimated from; the mean uses `trailingRuns`. */
  sdRuns: Count.default(EVAL_ACCURACY_DEFAULTS.sdRuns),
  minDrop: Fraction.default(EVAL_ACCURACY_DEFAULTS.minDrop),
  zScore: Positive.default(EVAL_ACCURACY_DEFAULTS.zScore),
  lookback: Duration.default(EVAL_ACCURACY_DEFAULTS.lookbackMs),
});

export const OutputDriftRuleConfig = z.strictObject({
  ...base(OUTPUT_DRIFT_DEFAULTS, 'ticket'),
  threshold: Positive.default(OUTPUT_DRIFT_DEFAULTS.threshold),
  window: Duration.default(OUTPUT_DRIFT_DEFAULTS.windowMs),
  reference: Duration.default(OUTPUT_DRIFT_DEFAULTS.referenceMs),
  /** Superseded by `confidence` (issue 13): accepted for old configs, ignored. */
  minSamples: Count.optional(),
  /** One-sided confidence of the G-test against the reference mix (before Bonferroni). */
  confidence: Confidence.default(OUTPUT_DRIFT_DEFAULTS.confidence),
  /** Expected false tickets a month over all services: the level per window is this over the month's windows. */
  falseAlarmsPerMonth: Positive.default(OUTPUT_DRIFT_DEFAULTS.falseAlarmsPerMonth),
  minReferenceSamples: Count.default(OUTPUT_DRIFT_DEFAULTS.minReferenceSamples),
  alpha: Positive.default(OUTPUT_DRIFT_DEFAULTS.alpha),
});

export const NovelErrorRuleConfig = z.strictObject({
  ...base(NOVEL_ERROR_DEFAULTS, 'ticket'),
  lookback: Duration.default(NOVEL_ERROR_DEFAULTS.lookbackMs),
  learning: Duration.default(NOVEL_ERROR_DEFAULTS.learningMs),
  minCount: Count.default(NOVEL_ERROR_DEFAULTS.minCount),
  window: Duration.default(NOVEL_ERROR_DEFAULTS.windowMs),
});

function rateShift(d: typeof RETRIEVAL_DROP_DEFAULTS | typeof NEGATIVE_FEEDBACK_DEFAULTS) {
  return z.strictObject({
    ...base(d, 'ticket'),
    margin: Fraction.default(d.margin),
    window: Duration.default(d.windowMs),
    baseline: Duration.default(d.baselineMs),
    /** Superseded by the statistical decision (issue 13): accepted for old configs, ignored. */
    minSamples: Count.optional(),
    /** Superseded too: the baseline enters at its Wilson bound, so its size counts. Accepted, ignored. */
    minBaselineSamples: Count.optional(),
    /** Before the Bonferroni correction for the number of services tested. */
    confidence: Confidence.default(d.confidence),
  });
}
export const RetrievalDropRuleConfig = rateShift(RETRIEVAL_DROP_DEFAULTS);
export const NegativeFeedbackRuleConfig = rateShift(NEGATIVE_FEEDBACK_DEFAULTS);

export const ModelVersionChangeRuleConfig = z.strictObject({
  ...base(MODEL_VERSION_CHANGE_DEFAULTS, 'review'),
  newFor: Duration.default(MODEL_VERSION_CHANGE_DEFAULTS.newForMs),
  learning: Duration.default(MODEL_VERSION_CHANGE_DEFAULTS.learningMs),
});
export const InputMixTrendRuleConfig = z.strictObject({
  ...base(INPUT_MIX_TREND_DEFAULTS, 'review'),
  threshold: Fraction.default(INPUT_MIX_TREND_DEFAULTS.threshold),
  minSamples: Count.default(INPUT_MIX_TREND_DEFAULTS.minSamples),
});
export const CostTrendRuleConfig = z.strictObject({
  ...base(COST_TREND_DEFAULTS, 'review'),
  growth: Positive.default(COST_TREND_DEFAULTS.growth),
  minWeeklyCostUsd: z.number().nonnegative().default(COST_TREND_DEFAULTS.minWeeklyCostUsd),
});
export const EvalCoverageRuleConfig = z.strictObject({
  ...base(EVAL_COVERAGE_DEFAULTS, 'review'),
  maxGap: Duration.default(EVAL_COVERAGE_DEFAULTS.maxGapMs),
});

/**
 * Wall-clock gap: when ingest goes quiet, evaluation still advances with wall time so a firing
 * alert resolves. Only when the newest data was "live" (its event time was within `liveHorizon`
 * of the wall clock when it arrived), so replaying old data is never overtaken by the wall clock.
 */
export const WallClockConfig = z.strictObject({
  quietAfter: Duration.default(5 * MINUTE_MS),
  liveHorizon: Duration.default(HOUR_MS),
});

/** The sections spread into RulesConfig. */
export const RULE_CATALOG_CONFIG = {
  latencyP95: LatencyP95RuleConfig.prefault({}),
  costAnomaly: CostAnomalyRuleConfig.prefault({}),
  providerDown: ProviderDownRuleConfig.prefault({}),
  evalAccuracy: EvalAccuracyRuleConfig.prefault({}),
  outputDrift: OutputDriftRuleConfig.prefault({}),
  novelError: NovelErrorRuleConfig.prefault({}),
  retrievalDrop: RetrievalDropRuleConfig.prefault({}),
  negativeFeedback: NegativeFeedbackRuleConfig.prefault({}),
  modelVersionChange: ModelVersionChangeRuleConfig.prefault({}),
  inputMixTrend: InputMixTrendRuleConfig.prefault({}),
  costTrend: CostTrendRuleConfig.prefault({}),
  evalCoverage: EvalCoverageRuleConfig.prefault({}),
  wallClock: WallClockConfig.prefault({}),
};

/** Downsampling and retention of rollups and raw events (top-level `rollups`). */
export const RollupRetentionConfig = z.strictObject({
  /** Minute rollups older than this are merged into hourly rows. */
  minutes: Duration.default(2 * 24 * HOUR_MS),
  hours: Duration.default(90 * 24 * HOUR_MS),
  events: Duration.default(7 * 24 * HOUR_MS),
  /** How often the maintenance tick runs (downsampling, retention, wall-clock evaluation). */
  interval: Duration.default(MINUTE_MS),
});

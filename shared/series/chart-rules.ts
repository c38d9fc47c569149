import type { z } from 'zod';
import type { RulesConfig } from '../config/collector-config.js';
import type { ChartRules } from '../protocol/series.js';

/**
 * How many baseline samples a chart needs before it draws the retrieval / feedback baseline line.
 * A display choice only: since issue 13 the rules themselves need no minimum baseline (Fisher's
 * exact test weighs its size), but a line drawn from a handful of ratings would jump around.
 */
export const BASELINE_LINE_MIN_SAMPLES = { retrievalDrop: 500, negativeFeedback: 200 } as const;

/** The collector's `rules` config, reduced to what the charts' reference lines need (issue 14). */
export function chartRulesFromConfig(r: z.output<typeof RulesConfig>): ChartRules {
  const shift = (c: typeof r.retrievalDrop, minLine: number) => ({
    enabled: c.enabled,
    margin: c.margin,
    windowMs: c.window,
    baselineMs: c.baseline,
    minBaselineSamples: c.minBaselineSamples ?? minLine,
  });
  return {
    latencyP95: {
      enabled: r.latencyP95.enabled,
      factor: r.latencyP95.factor,
      sloFactor: r.latencyP95.sloFactor,
      windowMs: r.latencyP95.window,
      baselineMs: r.latencyP95.baseline,
      minHourSamples: r.latencyP95.minHourSamples,
      minBaselineHours: r.latencyP95.minBaselineHours,
      slo: r.latencyP95.slo.map((s) => ({
        ...(s.service !== undefined ? { service: s.service } : {}),
        ...(s.provider !== undefined ? { provider: s.provider } : {}),
        ...(s.model !== undefined ? { model: s.model } : {}),
        p95: s.p95,
      })),
    },
    errorRate: { enabled: r.errorRate.enabled, threshold: r.errorRate.threshold },
    costAnomaly: {
      enabled: r.costAnomaly.enabled,
      dailyFactor: r.costAnomaly.dailyFactor,
      trailingDays: r.costAnomaly.trailingDays,
    },
    evalAccuracy: {
      enabled: r.evalAccuracy.enabled,
      threshold: r.evalAccuracy.threshold,
      thresholds: { ...r.evalAccuracy.thresholds },
    },
    outputDrift: {
      enabled: r.outputDrift.enabled,
      threshold: r.outputDrift.threshold,
      windowMs: r.outputDrift.window,
      referenceMs: r.outputDrift.reference,
      alpha: r.outputDrift.alpha,
    },
    retrievalDrop: shift(r.retrievalDrop, BASELINE_LINE_MIN_SAMPLES.retrievalDrop),
    negativeFeedback: shift(r.negativeFeedback, BASELINE_LINE_MIN_SAMPLES.negativeFeedback),
  };
}

import { MINUTE_MS } from '../../../shared/clock.js';
import type { CollectorConfig } from '../../../shared/config/collector-config.js';
import type { RemediationAction } from '../../../shared/rules/config.js';
import { COST_ANOMALY_RULE_ID, costAnomalyCheck } from '../../../shared/rules/cost-anomaly.js';
import { ERROR_RATE_RULE_ID, errorRateCheck } from '../../../shared/rules/error-rate.js';
import { EVAL_ACCURACY_RULE_ID } from '../../../shared/rules/eval-accuracy.js';
import { LATENCY_P95_RULE_ID, latencyP95Check } from '../../../shared/rules/latency-p95.js';
import { NOVEL_ERROR_RULE_ID } from '../../../shared/rules/novel-error.js';
import { OUTPUT_DRIFT_RULE_ID, outputDriftCheck } from '../../../shared/rules/output-drift.js';
import { PROVIDER_DOWN_RULE_ID, providerDownCheck } from '../../../shared/rules/provider-down.js';
import {
  NEGATIVE_FEEDBACK_RULE_ID,
  RETRIEVAL_DROP_RULE_ID,
  negativeFeedbackCheck,
  retrievalDropCheck,
} from '../../../shared/rules/rate-shift.js';
import {
  COST_TREND_RULE_ID,
  EVAL_COVERAGE_RULE_ID,
  INPUT_MIX_TREND_RULE_ID,
  MODEL_VERSION_CHANGE_RULE_ID,
} from '../../../shared/rules/weekly.js';
import type { WindowRule } from '../../../shared/rules/window-rule.js';

type Rules = CollectorConfig['rules'];

/** Every rule id of the catalog; each has a runbook at runbooks/<id>.md. */
export const RULE_IDS = [
  EVAL_ACCURACY_RULE_ID,
  LATENCY_P95_RULE_ID,
  ERROR_RATE_RULE_ID,
  COST_ANOMALY_RULE_ID,
  PROVIDER_DOWN_RULE_ID,
  OUTPUT_DRIFT_RULE_ID,
  NOVEL_ERROR_RULE_ID,
  RETRIEVAL_DROP_RULE_ID,
  NEGATIVE_FEEDBACK_RULE_ID,
  MODEL_VERSION_CHANGE_RULE_ID,
  INPUT_MIX_TREND_RULE_ID,
  COST_TREND_RULE_ID,
  EVAL_COVERAGE_RULE_ID,
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export interface Remediation {
  action?: RemediationAction;
  pageIfPersistsMs?: number;
}

/** Config key of each rule id. */
export const CONFIG_KEY: Record<RuleId, keyof Omit<Rules, 'allowedLateness' | 'wallClock'>> = {
  'eval-accuracy': 'evalAccuracy',
  'latency-p95': 'latencyP95',
  'error-rate': 'errorRate',
  'cost-anomaly': 'costAnomaly',
  'provider-down': 'providerDown',
  'output-drift': 'outputDrift',
  'novel-error': 'novelError',
  'retrieval-drop': 'retrievalDrop',
  'negative-feedback': 'negativeFeedback',
  'model-version-change': 'modelVersionChange',
  'input-mix-trend': 'inputMixTrend',
  'cost-trend': 'costTrend',
  'eval-coverage': 'evalCoverage',
};

export function remediationOf(rules: Rules, id: RuleId): Remediation {
  const c = rules[CONFIG_KEY[id]];
  return {
    ...(c.action ? { action: c.action } : {}),
    ...(c.pageIfPersists !== undefined ? { pageIfPersistsMs: c.pageIfPersists } : {}),
  };
}

/** The minute-cadence rules over scope histories, built from config (disabled ones left out). */
export function windowRules(rules: Rules, opts: { timeZone?: string } = {}): WindowRule[] {
  const out: WindowRule[] = [];
  const timing = (c: { tier: WindowRule['tier']; for: number; keepFiringFor: number }) => ({
    tier: c.tier,
    forMs: c.for,
    keepFiringForMs: c.keepFiringFor,
  });

  const er = rules.errorRate;
  if (er.enabled) {
    const r = {
      threshold: er.threshold,
      windowMs: er.window,
      forMs: er.for,
      maxWindowMs: er.maxWindow,
      confidence: er.confidence,
      minErrors: er.minErrors,
    };
    out.push({
      id: ERROR_RATE_RULE_ID,
      windowMs: er.window,
      scope: 'series',
      cadence: 'minute',
      ...timing(er),
      // `for` is the span the decision proves the rate over (issue 13): fire the minute it holds.
      forMs: MINUTE_MS,
      check: (h, m, s) => errorRateCheck(r, h, m, s),
    });
  }
  const lp = rules.latencyP95;
  if (lp.enabled) {
    const r = { ...lp, windowMs: lp.window, baselineMs: lp.baseline, forMs: lp.for };
    out.push({
      id: LATENCY_P95_RULE_ID,
      windowMs: lp.window,
      scope: 'series',
      cadence: 'minute',
      ...timing(lp),
      check: (h, m, s, ctx) => latencyP95Check(r, h, m, s, ctx),
    });
  }
  const ca = rules.costAnomaly;
  if (ca.enabled) {
    const r = { ...ca, shortWindowMs: ca.shortWindow, ...(opts.timeZone ? { timeZone: opts.timeZone } : {}) };
    out.push({
      id: COST_ANOMALY_RULE_ID,
      scope: 'service',
      cadence: 'minute',
      ...timing(ca),
      check: (h, m, s) => costAnomalyCheck(r, h, m, s),
    });
  }
  const pd = rules.providerDown;
  if (pd.enabled) {
    const r = { ...pd, windowMs: pd.window, fastWindowMs: pd.fastWindow, baselineMs: pd.baseline };
    out.push({
      id: PROVIDER_DOWN_RULE_ID,
      // Never true without an attempt in the newest span.
      windowMs: pd.fastWindow,
      scope: 'provider',
      cadence: 'minute',
      ...timing(pd),
      check: (h, m, s) => providerDownCheck(r, h, m, s),
    });
  }
  const od = rules.outputDrift;
  if (od.enabled) {
    const r = { ...od, windowMs: od.window, referenceMs: od.reference };
    out.push({
      id: OUTPUT_DRIFT_RULE_ID,
      windowMs: od.window,
      scope: 'service',
      cadence: 'minute',
      ...timing(od),
      check: (h, m, s, ctx) => outputDriftCheck(r, h, m, s, ctx),
    });
  }
  const rd = rules.retrievalDrop;
  if (rd.enabled) {
    const r = { ...rd, windowMs: rd.window, baselineMs: rd.baseline };
    out.push({
      id: RETRIEVAL_DROP_RULE_ID,
      windowMs: rd.window,
      // Services without retrieval are not tested: they do not dilute the level (Bonferroni).
      observes: (w) => w.retrievalHits + w.retrievalMisses > 0,
      scope: 'service',
      cadence: 'minute',
      ...timing(rd),
      check: (h, m, s, ctx) => retrievalDropCheck(r, h, m, s, ctx),
    });
  }
  const nf = rules.negativeFeedback;
  if (nf.enabled) {
    const r = { ...nf, windowMs: nf.window, baselineMs: nf.baseline };
    out.push({
      id: NEGATIVE_FEEDBACK_RULE_ID,
      windowMs: nf.window,
      observes: (w) => w.feedbackUp + w.feedbackDown > 0,
      scope: 'service',
      cadence: 'minute',
      ...timing(nf),
      check: (h, m, s, ctx) => negativeFeedbackCheck(r, h, m, s, ctx),
    });
  }
  return out;
}

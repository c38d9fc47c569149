import { HOUR_MS, MINUTE_MS } from '../../shared/clock.js';
import type { Tier } from '../../shared/protocol/alert.js';
import type { ScenarioName } from '../../shared/sim/scenarios.js';

/**
 * Detection quality, in one table: each simulator scenario, the alert it must raise (rule id and
 * tier) and how soon after it starts (event time). Used by test/integration/detection.test.ts
 * (asserts) and bench/detection.ts (prints).
 */
export interface DetectionCase {
  scenario: ScenarioName;
  ruleId: string;
  tier: Tier;
  maxDetectMs: number;
  /** A fragment the summary must contain (the numbers are checked by a regex). */
  summary: RegExp;
}

export const DETECTION_CASES: readonly DetectionCase[] = [
  {
    scenario: 'provider-outage',
    ruleId: 'provider-down',
    tier: 'page',
    // Issue 13: a partial outage (availability errors dominate) pages within 5 minutes.
    maxDetectMs: 5 * MINUTE_MS,
    summary: /provider openai: (\d+\.\d% of \d+ requests failed|no successful request)/,
  },
  {
    scenario: 'latency-regression',
    ruleId: 'latency-p95',
    tier: 'page',
    maxDetectMs: 30 * MINUTE_MS,
    summary: /^p95 \d+\.\d s vs baseline [\d.]+ m?s for 15 min on .*claude-sonnet-4/,
  },
  {
    scenario: 'cost-bug',
    ruleId: 'cost-anomaly',
    tier: 'page',
    maxDetectMs: 30 * MINUTE_MS,
    summary: /cost rate \$[\d.]+\/h vs normal \$[\d.]+\/h \(\d+\.\dx\) over 15 min on support-bot/,
  },
  {
    scenario: 'output-drift',
    ruleId: 'output-drift',
    tier: 'ticket',
    maxDetectMs: 90 * MINUTE_MS,
    summary: /output mix KL 0\.\d+ > 0\.1 .* on checkout-assistant/,
  },
  {
    scenario: 'eval-regression',
    ruleId: 'eval-accuracy',
    tier: 'page',
    maxDetectMs: 90 * MINUTE_MS,
    summary: /search-rag-faithfulness accuracy \d+\.\d%/,
  },
  {
    scenario: 'novel-error',
    ruleId: 'novel-error',
    tier: 'ticket',
    maxDetectMs: 45 * MINUTE_MS,
    summary: /new error on checkout-assistant .*validation_error "ValidationError: tool_call\.arguments missing field/,
  },
  {
    scenario: 'error-spike',
    ruleId: 'error-rate',
    tier: 'page',
    maxDetectMs: 25 * MINUTE_MS,
    summary: /^error rate \d+\.\d% \(\d+\/\d+\) over \d+ min, above 5% at 97\.5% confidence, on search-rag/,
  },
  {
    scenario: 'retrieval-drop',
    ruleId: 'retrieval-drop',
    tier: 'ticket',
    maxDetectMs: 60 * MINUTE_MS,
    summary: /retrieval hit rate \d+\.\d% \(\d+\/\d+\) vs baseline \d+\.\d% over \d+ min on search-rag/,
  },
  {
    scenario: 'negative-feedback',
    ruleId: 'negative-feedback',
    tier: 'ticket',
    maxDetectMs: 60 * MINUTE_MS,
    summary: /negative feedback \d+\.\d% \(\d+\/\d+ rated\) vs baseline \d+\.\d% over \d+ min on support-bot/,
  },
];

/** Monday 2026-11-02 00:00 UTC: the simulated week starts on a Monday. */
export const WEEK_START = Date.UTC(2026, 10, 2);
/** Scenarios start on Wednesday 13:00 UTC, after two and a half days of normal history. */
export const SCENARIO_START = WEEK_START + 2 * 24 * HOUR_MS + 13 * HOUR_MS;
/** Requests/s at the weekday peak: enough for the minimum-sample rules by day, not by night. */
export const DETECTION_RATE_PER_SEC = 2;
export const DETECTION_SEED = 7;

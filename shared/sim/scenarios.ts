/**
 * Named incidents the simulator can inject. Each one maps to an alert the collector should
 * raise (see ARCHITECTURE.md, "Alerts, tiers, escalation"), and has a default target that an
 * operator can override (another service, provider, model or eval suite).
 */

export const SCENARIO_NAMES = [
  'provider-outage',
  'latency-regression',
  'cost-bug',
  'output-drift',
  'eval-regression',
  'novel-error',
  'error-spike',
  'retrieval-drop',
  'negative-feedback',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export function isScenarioName(s: string): s is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(s);
}

/** Which traffic a scenario touches; every field given must match (an empty target matches all). */
export interface ScenarioTarget {
  service?: string;
  provider?: string;
  model?: string;
  /** Eval suite (eval-regression only). */
  suite?: string;
}
export const TARGET_KEYS = ['service', 'provider', 'model', 'suite'] as const;

export interface ScenarioSpec {
  description: string;
  defaultTarget: ScenarioTarget;
  /** The alert it is meant to trigger. */
  expectedAlert: string;
}

export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioSpec>> = {
  'provider-outage': {
    description: '85% of requests to one provider fail (connection resets, 5xx, timeouts)',
    defaultTarget: { provider: 'openai' },
    expectedAlert: 'page: provider API down / error rate',
  },
  'latency-regression': {
    description: "one model's latency triples",
    defaultTarget: { model: 'claude-sonnet-4' },
    expectedAlert: 'page: p95 latency above 2x baseline for 15 min',
  },
  'cost-bug': {
    description: 'one service sends 3x the tokens in a retry loop (~3.3 calls per request): ~10x cost',
    defaultTarget: { service: 'support-bot' },
    expectedAlert: 'page: cost rate above 5x normal',
  },
  'output-drift': {
    description: "one service's output label mix flattens (more refusals, clarifications, handoffs)",
    defaultTarget: { service: 'checkout-assistant' },
    expectedAlert: 'ticket: output distribution shift (KL divergence)',
  },
  'eval-regression': {
    description: "one eval suite's accuracy drops by ~20 points",
    defaultTarget: { suite: 'search-rag-faithfulness' },
    expectedAlert: 'page: eval accuracy below threshold',
  },
  'novel-error': {
    description: "2% of one service's requests fail with an error string never seen before",
    defaultTarget: { service: 'checkout-assistant' },
    expectedAlert: 'ticket: novel error string',
  },
  'error-spike': {
    description: "one service's error rate rises to ~20% (known 5xx errors)",
    defaultTarget: { service: 'search-rag' },
    expectedAlert: 'page: error rate above 5% for 10 min',
  },
  'retrieval-drop': {
    description: "one RAG service's retrieval hit rate falls to ~45%",
    defaultTarget: { service: 'search-rag' },
    expectedAlert: 'ticket: retrieval hit rate below baseline',
  },
  'negative-feedback': {
    description: 'one service gets twice the feedback, 60% of it thumbs down',
    defaultTarget: { service: 'support-bot' },
    expectedAlert: 'ticket: negative feedback rate above baseline',
  },
};

/** Effect sizes, named so tests and docs agree on them. */
export const EFFECTS = {
  outageFailureRate: 0.85,
  latencyFactor: 3,
  costTokenFactor: 3,
  /** Probability that one more call follows in the retry loop (geometric: mean 1/(1-p) calls). */
  costRepeatProbability: 0.7,
  /** Label weights are raised to this power and renormalised: < 1 flattens the mix. */
  driftExponent: 0.3,
  evalAccuracyDrop: 0.2,
  novelErrorRate: 0.02,
  errorSpikeRate: 0.2,
  retrievalHitRate: 0.45,
  feedbackRateFactor: 2,
  negativeDownShare: 0.6,
} as const;

export interface Subject {
  service: string;
  provider: string;
  model: string;
  suite?: string;
}

export function matchesTarget(target: ScenarioTarget, s: Subject): boolean {
  return (
    (target.service === undefined || target.service === s.service) &&
    (target.provider === undefined || target.provider === s.provider) &&
    (target.model === undefined || target.model === s.model) &&
    (target.suite === undefined || target.suite === s.suite)
  );
}

export function formatTarget(t: ScenarioTarget): string {
  const parts = TARGET_KEYS.filter((k) => t[k] !== undefined).map((k) => `${k}=${t[k] ?? ''}`);
  return parts.length ? parts.join(',') : 'all';
}

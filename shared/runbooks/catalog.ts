/**
 * Rule ids that must each have a runbook (runbookId = rule id). Mirrors the rule catalog of
 * ARCHITECTURE.md "Alerts, tiers, escalation"; `npm run runbooks:check` fails when one is missing.
 */
export const CATALOG_RULE_IDS = [
  // tier 1: page
  'error-rate',
  'eval-accuracy',
  'latency-p95',
  'cost-anomaly',
  'provider-down',
  // tier 2: ticket
  'output-drift',
  'novel-error',
  'retrieval-drop',
  'negative-feedback',
  // tier 3: weekly review
  'model-version-change',
  'input-mix-trend',
  'cost-trend',
  'eval-coverage',
  // eval jobs themselves
  'eval-job-failed',
  // the collector's own health: a label over ingest.maxLabelValues (issue 11)
  'label-cardinality',
] as const;
export type CatalogRuleId = (typeof CATALOG_RULE_IDS)[number];

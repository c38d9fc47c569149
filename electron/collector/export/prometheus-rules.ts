import { allFailedPValue } from '../../../shared/rules/stats.js';
import { stringify } from 'yaml';
import type { CollectorConfig } from '../../../shared/config/collector-config.js';
import type { Tier } from '../../../shared/protocol/alert.js';
import { GENAI_COST, GENAI_DURATION, LABEL, SERIES_LABELS } from '../../../shared/prometheus/genai-names.js';
import { CONFIG_KEY, RULE_IDS, type RuleId } from '../rules/catalog.js';
import { promDuration } from './prom-duration.js';

/**
 * `npm run rules:export -- --format prometheus`: the rule catalog, with the configured
 * thresholds, as Prometheus recording and alerting rules over the OTel GenAI metrics
 * (shared/prometheus/genai-names.ts). Rules with no faithful PromQL form are listed in a comment
 * with the reason instead of being approximated silently; the ones exported with a simplification
 * say which in the same comment.
 */

/** Tier → `severity` label, the inverse of the Alertmanager intake's mapping, so alerts round-trip. */
export const TIER_SEVERITY: Record<Tier, string> = { page: 'critical', ticket: 'warning', review: 'info' };

export interface PromRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  keep_firing_for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
export interface PromRuleFile {
  groups: { name: string; rules: PromRule[] }[];
}

/** Why a rule is not exported; a fixed text per rule, shown in the output's header comment. */
export const NOT_EXPRESSIBLE: Partial<Record<RuleId, string>> = {
  'eval-accuracy': 'eval runs are not metrics: the z-score against trailing runs needs the run history',
  'output-drift': 'KL divergence between output-label distributions has no PromQL form',
  'novel-error': 'needs the set of error types ever seen (first occurrence), which PromQL cannot keep',
  'retrieval-drop': 'a two-proportion test against a baseline, Bonferroni-corrected over services',
  'negative-feedback': 'a two-proportion test against a baseline, Bonferroni-corrected over services',
  'model-version-change': 'weekly review over stored history (first-seen model versions)',
  'input-mix-trend': 'weekly review over the input-mix distribution',
  'cost-trend': 'weekly review over week-on-week spend',
  'eval-coverage': 'weekly review over eval runs',
};

/** What the exported form leaves out of Vigil's own rule. */
const SIMPLIFIED: Partial<Record<RuleId, string>> = {
  'error-rate':
    'a fixed window instead of the exact binomial test that widens at low traffic; minErrors is kept as a floor',
  'latency-p95':
    'the baseline is the median of hourly p95s over the baseline window (subquery), no per-hour sample floor',
  'cost-anomaly': 'the short-window rate check only; the daily projection (dailyFactor) is not exported',
  'provider-down': 'a fixed fastWindow share instead of the confidence test over a widening window',
};

const BY = SERIES_LABELS.join(', ');
const count = (sel = ''): string => `${GENAI_DURATION}_count${sel}`;
const num = (x: number): string => String(x);
/** A fraction as a percentage for prose, without binary noise (0.07 → "7", not "7.000000000000001"). */
const pct = (x: number): string => String(Number((x * 100).toPrecision(6)));

function alertLabels(tier: Tier, id: RuleId): Record<string, string> {
  return { tier, severity: TIER_SEVERITY[tier], vigil_rule: id };
}

/**
 * PromQL cannot run the collector's binomial test on the share of slow requests (issue 13): the
 * exported latency alert asks for this many requests in the window instead, unless the config
 * still names a `minSamples`.
 */
const PROM_LATENCY_MIN_REQUESTS = 30;

/**
 * PromQL has no exact test: the fewest attempts whose all failing the collector's total-outage
 * decision would call an outage at a healthy provider's worst share (q^n < alpha, at least two).
 */
function outageAttempts(q: number, alpha: number): number {
  let n = 2;
  while (allFailedPValue(n, q) >= alpha) n++; // q < 1 (config bound): ends
  return n;
}

export function prometheusRules(config: CollectorConfig): PromRuleFile {
  const rules = config.rules;
  const runbook = (id: RuleId): string => `${config.prometheus.runbookBaseUrl}/${id}`;
  const recording: PromRule[] = [];
  const alerts: PromRule[] = [];
  const annotations = (id: RuleId, summary: string, description: string): Record<string, string> => ({
    summary,
    description,
    runbook_url: runbook(id),
  });
  const timing = (c: { for: number; keepFiringFor: number }) => ({
    for: promDuration(c.for),
    ...(c.keepFiringFor > 0 ? { keep_firing_for: promDuration(c.keepFiringFor) } : {}),
  });

  const er = rules.errorRate;
  if (er.enabled) {
    const w = promDuration(er.window);
    const requests = `service_provider_model:gen_ai_client_requests:rate${w}`;
    const errors = `service_provider_model:gen_ai_client_errors:rate${w}`;
    const ratio = `service_provider_model:gen_ai_client_error_ratio:rate${w}`;
    recording.push(
      { record: requests, expr: `sum by (${BY}) (rate(${count()}[${w}]))` },
      { record: errors, expr: `sum by (${BY}) (rate(${count(`{${LABEL.errorType}!=""}`)}[${w}]))` },
      { record: ratio, expr: `${errors} / ${requests}` },
    );
    alerts.push({
      alert: 'VigilErrorRate',
      expr:
        `${ratio} > ${num(er.threshold)}\n` +
        `and sum by (${BY}) (increase(${count(`{${LABEL.errorType}!=""}`)}[${w}])) >= ${er.minErrors}`,
      ...timing(er),
      labels: alertLabels(er.tier, 'error-rate'),
      annotations: annotations(
        'error-rate',
        `Error rate {{ $value | humanizePercentage }} on {{ $labels.${LABEL.service} }} / {{ $labels.${LABEL.model} }}`,
        `Error rate above ${pct(er.threshold)}% over ${w}, at least ${er.minErrors} failed requests.`,
      ),
    });
  }

  const lp = rules.latencyP95;
  if (lp.enabled) {
    const w = promDuration(lp.window);
    const p95 = `service_provider_model:gen_ai_client_operation_duration_seconds:p95_${w}`;
    const p95h = 'service_provider_model:gen_ai_client_operation_duration_seconds:p95_1h';
    recording.push(
      { record: p95, expr: `histogram_quantile(0.95, sum by (${BY}, le) (rate(${GENAI_DURATION}_bucket[${w}])))` },
      { record: p95h, expr: `histogram_quantile(0.95, sum by (${BY}, le) (rate(${GENAI_DURATION}_bucket[1h])))` },
    );
    const enough = `sum by (${BY}) (increase(${count()}[${w}])) >= ${lp.minSamples ?? PROM_LATENCY_MIN_REQUESTS}`;
    alerts.push({
      alert: 'VigilLatencyP95',
      expr:
        `${p95} > ${num(lp.factor)} * quantile_over_time(0.5, ${p95h}[${promDuration(lp.baseline)}:1h] offset ${w})\n` +
        `and ${enough}`,
      ...timing(lp),
      labels: alertLabels(lp.tier, 'latency-p95'),
      annotations: annotations(
        'latency-p95',
        `p95 latency {{ $value | humanizeDuration }} on {{ $labels.${LABEL.service} }} / {{ $labels.${LABEL.model} }}`,
        `p95 over ${w} above ${lp.factor}x the median hourly p95 of the previous ${promDuration(lp.baseline)}.`,
      ),
    });
    lp.slo.forEach((slo, i) => {
      const matchers = [
        slo.service !== undefined ? `${LABEL.service}=${JSON.stringify(slo.service)}` : '',
        slo.provider !== undefined ? `${LABEL.provider}=${JSON.stringify(slo.provider)}` : '',
        slo.model !== undefined ? `${LABEL.model}=${JSON.stringify(slo.model)}` : '',
      ].filter(Boolean);
      const sel = matchers.length > 0 ? `{${matchers.join(', ')}}` : '';
      const limitS = (slo.p95 * lp.sloFactor) / 1000;
      alerts.push({
        alert: 'VigilLatencyP95Slo',
        expr: `${p95}${sel} > ${num(limitS)}\nand ${enough}`,
        ...timing(lp),
        labels: { ...alertLabels(lp.tier, 'latency-p95'), slo_index: String(i) },
        annotations: annotations(
          'latency-p95',
          `p95 latency {{ $value | humanizeDuration }} above ${lp.sloFactor}x the SLO on {{ $labels.${LABEL.service} }}`,
          `p95 over ${w} above ${lp.sloFactor} x ${slo.p95} ms (SLO ${i}).`,
        ),
      });
    });
  }

  const ca = rules.costAnomaly;
  if (ca.enabled) {
    const w = promDuration(ca.shortWindow);
    const days = promDuration(ca.trailingDays * 86_400_000);
    const rate = `service:${GENAI_COST.replace(/_total$/, '')}:rate${w}`;
    recording.push({ record: rate, expr: `sum by (${LABEL.service}) (rate(${GENAI_COST}[${w}]))` });
    alerts.push({
      alert: 'VigilCostAnomaly',
      expr:
        `${rate} > ${num(ca.rateFactor)} * sum by (${LABEL.service}) (rate(${GENAI_COST}[${days}] offset ${w}))\n` +
        `and sum by (${LABEL.service}) (increase(${GENAI_COST}[${w}])) >= ${num(ca.minWindowCostUsd)}\n` +
        `and sum by (${LABEL.service}) (increase(${count()}[${w}])) >= ${ca.minSamples}`,
      ...timing(ca),
      labels: alertLabels(ca.tier, 'cost-anomaly'),
      annotations: annotations(
        'cost-anomaly',
        `Spend on {{ $labels.${LABEL.service} }} at {{ $value | printf "%.4f" }} USD/s`,
        `Spend rate over ${w} above ${ca.rateFactor}x its ${days} average.`,
      ),
    });
  }

  const pd = rules.providerDown;
  if (pd.enabled) {
    const w = promDuration(pd.fastWindow);
    const types = pd.errorTypes.map(escapeRegex).join('|');
    const attempts = `sum by (${LABEL.provider}) (increase(${count()}[${w}]))`;
    alerts.push({
      alert: 'VigilProviderDown',
      expr:
        `sum by (${LABEL.provider}) (increase(${count(`{${LABEL.errorType}=~${JSON.stringify(types)}}`)}[${w}]))\n` +
        `  / ${attempts} > ${num(pd.dominantShare)}\n` +
        `and ${attempts} >= ${outageAttempts(pd.normalFailureShare, 1 - pd.outageConfidence)}`,
      ...timing(pd),
      labels: alertLabels(pd.tier, 'provider-down'),
      annotations: annotations(
        'provider-down',
        `Provider {{ $labels.${LABEL.provider} }} failing: {{ $value | humanizePercentage }} availability errors`,
        `More than ${pct(pd.dominantShare)}% of requests over ${w} failed with ${pd.errorTypes.join(', ')}.`,
      ),
    });
  }
  const groups = [{ name: 'vigil-genai-recording', rules: recording }];
  if (alerts.length > 0) groups.push({ name: 'vigil-genai-alerts', rules: alerts });
  return { groups: groups.filter((g) => g.rules.length > 0) };
}

/** The header comment: what each catalog rule became, and why the missing ones are missing. */
export function exportNotes(config: CollectorConfig): string[] {
  const lines = [
    'Vigil rule catalog as Prometheus rules (npm run rules:export -- --format prometheus).',
    `Metrics: ${GENAI_DURATION} (histogram), ${GENAI_COST} (counter), labels ${SERIES_LABELS.join(', ')}, ${LABEL.errorType}.`,
    'Not exported (no faithful PromQL form; Vigil evaluates these itself):',
  ];
  for (const id of RULE_IDS) {
    const why = NOT_EXPRESSIBLE[id];
    if (why) lines.push(`  ${id}: ${why}`);
  }
  lines.push('Exported with a simplification:');
  for (const id of RULE_IDS) {
    const enabled = config.rules[CONFIG_KEY[id]].enabled;
    const what = SIMPLIFIED[id];
    if (what && enabled) lines.push(`  ${id}: ${what}`);
    else if (what) lines.push(`  ${id}: disabled in config, left out`);
  }
  return lines;
}

/** The whole file: notes as `#` comments, then the rule groups. */
export function renderPrometheusRules(config: CollectorConfig): string {
  const header = exportNotes(config)
    .map((l) => `# ${l}`)
    .join('\n');
  return `${header}\n${stringify(prometheusRules(config), { lineWidth: 0 })}`;
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

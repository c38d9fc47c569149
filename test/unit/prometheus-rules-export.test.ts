import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CollectorConfig, type CollectorConfigInput } from '../../shared/config/collector-config.js';
import { promDuration } from '../../electron/collector/export/prom-duration.js';
import {
  NOT_EXPRESSIBLE,
  prometheusRules,
  renderPrometheusRules,
  type PromRule,
} from '../../electron/collector/export/prometheus-rules.js';
import { rulesExport } from '../../electron/collector/export/rules-export.js';
import { RULE_IDS } from '../../electron/collector/rules/catalog.js';

const config = (input: CollectorConfigInput = {}) => CollectorConfig.parse(input);
const alertsOf = (input: CollectorConfigInput = {}): PromRule[] =>
  prometheusRules(config(input)).groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined));

describe('rules:export --format prometheus (issue 17)', () => {
  it('exports recording and alerting rules with tier/severity labels, summaries and runbook links', () => {
    const file = prometheusRules(config());
    expect(file.groups.map((g) => g.name)).toEqual(['vigil-genai-recording', 'vigil-genai-alerts']);
    const records = file.groups[0]!.rules.map((r) => r.record);
    expect(records).toContain('service_provider_model:gen_ai_client_error_ratio:rate5m');
    for (const r of file.groups[0]!.rules) expect(r.expr).toMatch(/gen_ai_client_|vigil_gen_ai_client_cost_usd_total/);
    const alerts = alertsOf();
    expect(alerts.map((a) => a.alert)).toEqual([
      'VigilErrorRate',
      'VigilLatencyP95',
      'VigilCostAnomaly',
      'VigilProviderDown',
    ]);
    for (const a of alerts) {
      expect(a.labels).toMatchObject({ tier: 'page', severity: 'critical' });
      expect(a.annotations?.summary).toBeTruthy();
      expect(a.annotations?.description).toBeTruthy();
      expect(a.annotations?.runbook_url).toBe(`http://127.0.0.1:4318/v1/runbooks/${a.labels?.vigil_rule}`);
      expect(RULE_IDS).toContain(a.labels?.vigil_rule);
    }
  });

  it('carries the configured thresholds, windows, tiers and runbook base URL', () => {
    const alerts = alertsOf({
      prometheus: { runbookBaseUrl: 'https://vigil.example.org/v1/runbooks/' },
      rules: {
        errorRate: { threshold: 0.07, window: '3m', for: '4m', minErrors: 9, tier: 'ticket' },
        latencyP95: { factor: 2.5, minSamples: 44, slo: [{ service: 'chat "eu"', p95: '2s' }] },
        costAnomaly: { rateFactor: 6, shortWindow: '20m', minWindowCostUsd: 0.5, trailingDays: 3 },
        providerDown: {
          dominantShare: 0.6,
          normalFailureShare: 0.1,
          outageConfidence: 0.999995,
          errorTypes: ['timeout', 'a.b'],
        },
      },
    });
    const byName = (n: string) => alerts.find((a) => a.alert === n)!;
    const er = byName('VigilErrorRate');
    expect(er.expr).toContain('service_provider_model:gen_ai_client_error_ratio:rate3m > 0.07');
    expect(er.expr).toContain('>= 9');
    expect(er.for).toBe('4m');
    expect(er.labels).toMatchObject({ tier: 'ticket', severity: 'warning' });
    expect(er.annotations?.description).toContain('7%');
    expect(er.annotations?.runbook_url).toBe('https://vigil.example.org/v1/runbooks/error-rate');
    expect(byName('VigilLatencyP95').expr).toContain('> 2.5 * quantile_over_time');
    expect(byName('VigilLatencyP95').expr).toContain('>= 44');
    const slo = byName('VigilLatencyP95Slo');
    // 3 (sloFactor default) x 2 s, and the service name quoted as a PromQL string.
    expect(slo.expr).toContain('{service_name="chat \\"eu\\""} > 6');
    expect(byName('VigilCostAnomaly').expr).toContain(
      '> 6 * sum by (service_name) (rate(vigil_gen_ai_client_cost_usd_total[3d] offset 20m))',
    );
    expect(byName('VigilCostAnomaly').expr).toContain('>= 0.5');
    const pd = byName('VigilProviderDown');
    expect(pd.expr).toContain('> 0.6');
    // 0.1^6 < 5e-6 ≤ 0.1^5: six failed attempts are the fewest the exact decision calls an outage.
    expect(pd.expr).toContain('>= 6');
    expect(pd.expr).toContain('error_type=~"timeout|a\\\\.b"');
  });

  it('leaves disabled rules out and names every rule with no PromQL form in a comment', () => {
    const cfg = config({ rules: { costAnomaly: { enabled: false }, errorRate: { enabled: false } } });
    const names = prometheusRules(cfg).groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record));
    expect(names).not.toContain('VigilCostAnomaly');
    expect(names).not.toContain('VigilErrorRate');
    expect(names.some((n) => n?.includes('error_ratio'))).toBe(false);
    const text = renderPrometheusRules(cfg);
    expect(text).toContain('#   cost-anomaly: disabled in config, left out');
    for (const [id, why] of Object.entries(NOT_EXPRESSIBLE)) expect(text).toContain(`#   ${id}: ${why}`);
    expect(text).toMatch(/KL divergence/);
    // Comments aside, the text is the YAML of the rule groups.
    expect(parse(text)).toEqual(prometheusRules(cfg));
    // Every catalog rule is either exported, simplified or explained.
    for (const id of RULE_IDS) expect(text).toContain(id);
  });

  it('prints durations the way Prometheus parses them', () => {
    expect(promDuration(0)).toBe('0s');
    expect(promDuration(90 * 60_000)).toBe('1h30m');
    expect(promDuration(86_400_000 + 1500)).toBe('1d1s500ms');
    expect(() => promDuration(-1)).toThrow(RangeError);
    expect(() => promDuration(1.5)).toThrow(RangeError);
  });

  it('refuses bad arguments and bad config with exit 2 and nothing on stdout', () => {
    const run = (argv: string[]) => {
      let out = '';
      let err = '';
      const code = rulesExport(
        argv,
        (s) => (out += s),
        (s) => (err += s),
      );
      return { code, out, err };
    };
    expect(run(['--format', 'prometheus']).code).toBe(0);
    for (const [argv, msg] of [
      [[], '--format is required'],
      [['--format', 'nagios'], '--format must be one of prometheus'],
      [['--format'], 'argument missing'],
      [['--format', 'prometheus', '--bogus'], 'Unknown option'],
      [['--format', 'prometheus', 'extra'], 'positional'],
      [['--format', 'prometheus', '--config', '/nonexistent/vigil.yaml'], 'cannot read config'],
    ] as const) {
      const r = run([...argv]);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain(msg);
    }
  });

  it('refuses a runbook base URL that is not http(s)', () => {
    expect(CollectorConfig.safeParse({ prometheus: { runbookBaseUrl: 'ftp://x/runbooks' } }).success).toBe(false);
    expect(CollectorConfig.safeParse({ prometheus: { runbookBaseUrl: 'not a url' } }).success).toBe(false);
    expect(CollectorConfig.safeParse({ prometheus: { runbookBasUrl: 'http://x' } }).success).toBe(false);
    expect(CollectorConfig.safeParse({ prometheus: { metrics: { maxSeries: 0 } } }).success).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { promqlFor } from '../../electron/collector/series/prometheus-series.js';
import { CollectorConfig } from '../../shared/config/collector-config.js';
import { SeriesQuery, type SeriesQueryInput } from '../../shared/protocol/series.js';

const q = (over: Partial<SeriesQueryInput>) =>
  SeriesQuery.parse({ metric: 'requests', from: '0', to: '3600000', ...over });

describe('series.source prometheus (issue 17)', () => {
  it('builds PromQL over the GenAI metrics per step, filtered and grouped as asked', () => {
    expect(promqlFor(q({}))).toBe('sum (increase(gen_ai_client_operation_duration_seconds_count{}[60s]))');
    expect(promqlFor(q({ metric: 'error_rate', service: 'a"b', by: 'model', step: '5m' }))).toBe(
      'sum by (gen_ai_request_model) (increase(gen_ai_client_operation_duration_seconds_count{service_name="a\\"b",error_type!=""}[300s])) / ' +
        'sum by (gen_ai_request_model) (increase(gen_ai_client_operation_duration_seconds_count{service_name="a\\"b"}[300s]))',
    );
    expect(promqlFor(q({ metric: 'latency_p95', by: 'provider' }))).toBe(
      '1000 * histogram_quantile(0.95, sum by (gen_ai_provider_name, le) (rate(gen_ai_client_operation_duration_seconds_bucket{}[60s])))',
    );
    expect(promqlFor(q({ metric: 'tokens_in', model: 'm' }))).toContain(
      'gen_ai_request_model="m",gen_ai_token_type="input"',
    );
    expect(promqlFor(q({ metric: 'cost_usd' }))).toContain('vigil_gen_ai_client_cost_usd_total');
    for (const m of ['retrieval_hit_rate', 'negative_feedback_rate', 'output_label_share', 'eval_accuracy'] as const)
      expect(promqlFor(q({ metric: m }))).toBeUndefined();
  });

  it('config: local by default; prometheus needs an http(s) url; bounds on timeout and size', () => {
    expect(CollectorConfig.parse({}).series.source).toEqual({ kind: 'local' });
    const ok = CollectorConfig.parse({ series: { source: { kind: 'prometheus', url: 'http://prom:9090/' } } });
    expect(ok.series.source).toEqual({
      kind: 'prometheus',
      url: 'http://prom:9090',
      timeout: 10_000,
      maxResponseBytes: 8 * 1024 * 1024,
    });
    for (const source of [
      { kind: 'prometheus' },
      { kind: 'prometheus', url: 'file:///etc/passwd' },
      { kind: 'prometheus', url: 'http://p', timeout: 0 },
      { kind: 'prometheus', url: 'http://p', timeout: '5m' },
      { kind: 'prometheus', url: 'http://p', maxResponseBytes: 0 },
      { kind: 'prometheus', url: 'http://p', maxResponseBytes: 1e12 },
      { kind: 'local', url: 'http://p' },
      { kind: 'graphite', url: 'http://p' },
    ])
      expect(CollectorConfig.safeParse({ series: { source } }).success, JSON.stringify(source)).toBe(false);
  });
});

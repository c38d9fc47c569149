import { describe, expect, it } from 'vitest';
import { GenAiMetrics, escapeLabelValue } from '../../electron/collector/export/genai-metrics.js';
import type { LlmEvent } from '../../shared/protocol/events.js';

const ev = (over: Partial<LlmEvent> = {}): LlmEvent => ({
  ts: 0,
  service: 'chat',
  provider: 'openai',
  model: 'gpt-4o',
  latency_ms: 300,
  input_tokens: 100,
  output_tokens: 20,
  status: 'ok',
  ...over,
});
const line = (text: string, prefix: string): string | undefined => text.split('\n').find((l) => l.startsWith(prefix));
const L = 'service_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="gpt-4o"';

describe('/metrics/genai exposition (issue 17)', () => {
  it('counts cumulative duration buckets in seconds, tokens by type and priced cost', () => {
    const m = new GenAiMetrics(100);
    m.record([
      { event: ev({ latency_ms: 15 }), costUsd: 0.25 },
      { event: ev({ latency_ms: 1000 }), costUsd: null },
      { event: ev({ latency_ms: 100_000, input_tokens: 5 }), costUsd: 0.5 },
    ]);
    const t = m.render();
    expect(t).toContain('# TYPE gen_ai_client_operation_duration_seconds histogram');
    expect(line(t, `gen_ai_client_operation_duration_seconds_bucket{${L},le="0.01"}`)).toMatch(/ 0$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_bucket{${L},le="0.02"}`)).toMatch(/ 1$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_bucket{${L},le="1.28"}`)).toMatch(/ 2$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_bucket{${L},le="81.92"}`)).toMatch(/ 2$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_bucket{${L},le="+Inf"}`)).toMatch(/ 3$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_count{${L}}`)).toMatch(/ 3$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_sum{${L}}`)).toBe(
      `gen_ai_client_operation_duration_seconds_sum{${L}} 101.015`,
    );
    expect(line(t, `gen_ai_client_token_usage_sum{${L},gen_ai_token_type="input"}`)).toMatch(/ 205$/);
    expect(line(t, `gen_ai_client_token_usage_sum{${L},gen_ai_token_type="output"}`)).toMatch(/ 60$/);
    // The unpriced request adds nothing (unknown, not free).
    expect(line(t, `vigil_gen_ai_client_cost_usd_total{${L}}`)).toMatch(/ 0\.75$/);
  });

  it('labels failures by error type, `_OTHER` when the sender named none', () => {
    const m = new GenAiMetrics(100);
    m.record([
      { event: ev({ status: 'error', error_type: 'timeout' }), costUsd: null },
      { event: ev({ status: 'error' }), costUsd: null },
      { event: ev({ status: 'error', error_type: '' }), costUsd: null },
      { event: ev(), costUsd: null },
    ]);
    const t = m.render();
    expect(line(t, `gen_ai_client_operation_duration_seconds_count{${L},error_type="timeout"}`)).toMatch(/ 1$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_count{${L},error_type="_OTHER"}`)).toMatch(/ 2$/);
    expect(line(t, `gen_ai_client_operation_duration_seconds_count{${L}}`)).toMatch(/ 1$/);
  });

  it('escapes sender text in label values', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    const m = new GenAiMetrics(100);
    m.record([{ event: ev({ service: 'x"}\ny', status: 'error', error_type: 'e\\' }), costUsd: null }]);
    const t = m.render();
    expect(t).toContain('service_name="x\\"}\\ny"');
    expect(t).toContain('error_type="e\\\\"');
    // No raw newline inside a sample line: every line is a comment or `name{...} value`.
    for (const l of t.trim().split('\n')) expect(l).toMatch(/^(#|[a-z_]+(\{.*\})? [0-9.e+-]+$)/);
  });

  it('caps label-set combinations at maxSeries (+1 for `other`) and counts what folded', () => {
    const m = new GenAiMetrics(3);
    m.record(
      Array.from({ length: 50 }, (_, i) => ({
        event: ev({ model: `m${i}`, status: i % 2 ? 'error' : 'ok', error_type: `t${i}` }),
        costUsd: 1,
      })),
    );
    const t = m.render();
    const opsSeries = t.split('\n').filter((l) => l.startsWith('gen_ai_client_operation_duration_seconds_count'));
    expect(opsSeries.length).toBeLessThanOrEqual(5);
    expect(t).toContain(
      'gen_ai_client_operation_duration_seconds_count{service_name="other",gen_ai_provider_name="other",gen_ai_request_model="other",error_type="other"}',
    );
    expect(m.seriesCount()).toBeLessThanOrEqual(2 * (3 + 2));
    expect(line(t, 'vigil_genai_series_overflow_total')).toBe('vigil_genai_series_overflow_total 47');
    // Nothing is lost: totals across series still add up.
    const total = t
      .split('\n')
      .filter((l) => l.startsWith('gen_ai_client_operation_duration_seconds_count'))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    expect(total).toBe(50);
    const cost = t
      .split('\n')
      .filter((l) => l.startsWith('vigil_gen_ai_client_cost_usd_total'))
      .reduce((s, l) => s + Number(l.split(' ').pop()), 0);
    expect(cost).toBe(50);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPrometheusRules } from '../../electron/collector/export/prometheus-rules.js';
import { defaultCollectorConfig } from '../../shared/config/collector-config.js';
import { postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { freePort, genAiTraffic, startPrometheus, waitFor, type ServerHandle } from '../fixtures/prom-servers.js';
import { SeriesResponse } from '../../shared/protocol/series.js';

/**
 * Issue 17: a real Prometheus scrapes the real collector's `/metrics/genai` and evaluates the
 * rules `rules:export` prints; fixture traffic in, the recording rule's value out of its API.
 */
const WAIT_MS = 40_000;
const RATIO = 'service_provider_model:gen_ai_client_error_ratio:rate5m';

let collector: CollectorHandle;
let prom: ServerHandle;

beforeAll(async () => {
  collector = await startCollector();
  const target = new URL(collector.url).host;
  prom = await startPrometheus(
    [
      'global: {scrape_interval: 1s, evaluation_interval: 1s}',
      'rule_files: [rules.yml]',
      'scrape_configs:',
      '  - job_name: vigil-genai',
      '    metrics_path: /metrics/genai',
      `    authorization: {credentials: ${JSON.stringify(collector.token)}}`,
      `    static_configs: [{targets: [${JSON.stringify(target)}]}]`,
      '',
    ].join('\n'),
    renderPrometheusRules(defaultCollectorConfig()),
  );
}, 60_000);

afterAll(async () => {
  await prom?.stop();
  await collector?.stop();
});

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(expr)}`, {
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as {
    status: string;
    data: { result: { metric: Record<string, string>; value: [number, string] }[] };
  };
  expect(body.status).toBe('success');
  return body.data.result;
}

describe('Prometheus scraping the collector (issue 17)', () => {
  it('evaluates the exported error-ratio recording rule over the collector traffic', async () => {
    // Both series (ok, rate_limit) exist from the first scrape, so the second batch is a clean increase.
    expect((await postEvents(collector.url, collector.token, genAiTraffic(4, 1))).status).toBe(200);
    await waitFor(
      'the first batch scraped',
      async () => {
        const r = await query('sum(gen_ai_client_operation_duration_seconds_count)');
        return r[0]?.value[1] === '5' ? true : undefined;
      },
      WAIT_MS,
    );
    expect((await postEvents(collector.url, collector.token, genAiTraffic(8, 2))).status).toBe(200);
    const ratio = await waitFor(
      'the recording rule at 2/10',
      async () => {
        const total = await query('sum(gen_ai_client_operation_duration_seconds_count)');
        if (total[0]?.value[1] !== '15') return undefined;
        const r = await query(RATIO);
        const v = r[0] ? Number(r[0].value[1]) : NaN;
        // Both counters come from one scrape: the ratio of their increases is exact.
        return Math.abs(v - 0.2) < 1e-9 ? r : undefined;
      },
      WAIT_MS,
    );
    expect(ratio).toHaveLength(1);
    expect(ratio[0]!.metric).toEqual({
      __name__: RATIO,
      service_name: 'chat',
      gen_ai_provider_name: 'openai',
      gen_ai_request_model: 'gpt-4o',
    });
    // The OTel token histogram and Vigil's cost counter arrive under the exported names too.
    const tokens = await query('sum by (gen_ai_token_type) (gen_ai_client_token_usage_sum)');
    expect(Object.fromEntries(tokens.map((t) => [t.metric.gen_ai_token_type, Number(t.value[1])]))).toEqual({
      input: 1500,
      output: 300,
    });
    expect(Number((await query('sum(vigil_gen_ai_client_cost_usd_total)'))[0]?.value[1])).toBeGreaterThan(0);
    // Every rule of the export loaded and evaluates without error.
    const rules = (await (await fetch(`${prom.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { health: string; name: string }[] }[] };
    };
    const all = rules.data.groups.flatMap((g) => g.rules);
    expect(all.length).toBe(10);
    for (const r of all) expect(r.health, r.name).not.toBe('err');
  });

  it('a collector with series.source prometheus answers /v1/series from that Prometheus', async () => {
    // Runs after the traffic above: Prometheus holds 10 requests of increase, 2 of them errors.
    const reader = await startCollector({
      configYaml: `series: {source: {kind: prometheus, url: "${prom.url}/", timeout: 5s}}\n`,
    });
    const unreachable = await startCollector({
      configYaml:
        `series: {source: {kind: prometheus, url: "http://127.0.0.1:${await freePort()}", timeout: 2s}}\n` +
        'prometheus: {metrics: {enabled: false}}\n',
    });
    try {
      const get = async (c: CollectorHandle, q: string) => {
        const res = await fetch(`${c.url}/v1/series?${q}`, { headers: { authorization: `Bearer ${c.token}` } });
        return { status: res.status, body: (await res.json()) as Record<string, unknown> };
      };
      const hour = 3_600_000;
      const from = Math.floor(Date.now() / hour) * hour - hour;
      const range = `from=${from}&to=${from + 2 * hour}&step=1h`;
      const ratio = await get(reader, `metric=error_rate&by=service&${range}`);
      expect(ratio.status).toBe(200);
      const parsed = SeriesResponse.parse(ratio.body);
      expect(parsed.series).toHaveLength(1);
      expect(parsed.series[0]!.labels).toEqual({ service: 'chat' });
      expect(parsed.series[0]!.points.map((p) => p[0])).toEqual([from, from + hour]);
      const values = parsed.series[0]!.points.map((p) => p[1]).filter((v): v is number => v !== null);
      expect(values.some((v) => Math.abs(v - 0.2) < 1e-9)).toBe(true);
      const requests = SeriesResponse.parse((await get(reader, `metric=requests&service=chat&${range}`)).body);
      expect(requests.series[0]!.labels).toEqual({});
      expect(requests.series[0]!.points.some((p) => (p[1] ?? 0) > 0)).toBe(true);
      const p95 = SeriesResponse.parse((await get(reader, `metric=latency_p95&${range}`)).body);
      // 300..311 ms fall in the 0.32 s bucket: the p95 lands inside it, in ms.
      const lat = p95.series[0]!.points.map((p) => p[1]).find((v) => v !== null);
      expect(lat).toBeGreaterThan(160);
      expect(lat).toBeLessThanOrEqual(320);
      // Bad input is refused as locally; metrics with no GenAI form say so, naming the field.
      const drift = await get(reader, `metric=output_label_share&${range}`);
      expect(drift.status).toBe(400);
      expect(drift.body).toMatchObject({ error: { code: 'invalid_field', field: 'metric' } });
      expect((await get(reader, `metric=requests&from=${from}&to=${from - 1}`)).status).toBe(400);
      expect((await get(reader, `metric=requests&servce=chat&${range}`)).status).toBe(400);
      // An unreachable Prometheus is a bounded 502, not a hang.
      const down = await get(unreachable, `metric=requests&${range}`);
      expect(down.status).toBe(502);
      expect(down.body).toMatchObject({
        error: { code: 'unavailable', message: expect.stringMatching(/ECONNREFUSED/) },
      });
      // prometheus.metrics.enabled: false turns /metrics/genai off.
      const off = await fetch(`${unreachable.url}/metrics/genai`, {
        headers: { authorization: `Bearer ${unreachable.token}` },
      });
      expect(off.status).toBe(404);
    } finally {
      await reader.stop();
      await unreachable.stop();
    }
  });

  it('/metrics/genai needs the token', async () => {
    const res = await fetch(`${collector.url}/metrics/genai`);
    expect(res.status).toBe(401);
  });
});

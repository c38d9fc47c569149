import { z } from 'zod';
import type { SeriesSourceConfig } from '../../../shared/config/series-config.js';
import { GENAI_COST, GENAI_DURATION, GENAI_TOKENS, LABEL } from '../../../shared/prometheus/genai-names.js';
import { PromRangeAnswer } from '../../../shared/protocol/prometheus-api.js';
import {
  DEFAULT_SERIES_LIMIT,
  SeriesMetric,
  STEP_MS,
  type Series,
  type SeriesQuery,
  type SeriesResponse,
} from '../../../shared/protocol/series.js';
import { truncateText } from '../../../shared/protocol/bounded-text.js';
import { HttpError } from '../http/http-error.js';
import { readBounded } from '../../node/bounded-fetch.js';
import { seriesBudget, topKeys } from './series-limit.js';

type PromSource = Extract<SeriesSourceConfig, { kind: 'prometheus' }>;

/** Upstream error text shown in a 502 is cut to this. */
const MAX_UPSTREAM_TEXT = 300;

const BY_LABEL = { service: LABEL.service, provider: LABEL.provider, model: LABEL.model } as const;

/**
 * Each chart metric as PromQL over the exported GenAI metrics, per bucket of `w` (the step),
 * grouped by `g` (a `by (...)` clause or ''), filtered by `s` (a selector body or '').
 * Metrics with no GenAI metric behind them (retrieval, feedback, output labels, evals) are absent.
 */
const EXPR: Partial<Record<SeriesMetric, (s: string, g: string, w: string) => string>> = {
  requests: (s, g, w) => `sum${g} (increase(${GENAI_DURATION}_count{${s}}[${w}]))`,
  error_rate: (s, g, w) =>
    `sum${g} (increase(${GENAI_DURATION}_count{${join(s, `${LABEL.errorType}!=""`)}}[${w}])) / sum${g} (increase(${GENAI_DURATION}_count{${s}}[${w}]))`,
  latency_p50: (s, g, w) => quantile(0.5, s, g, w),
  latency_p95: (s, g, w) => quantile(0.95, s, g, w),
  latency_p99: (s, g, w) => quantile(0.99, s, g, w),
  cost_usd: (s, g, w) => `sum${g} (increase(${GENAI_COST}{${s}}[${w}]))`,
  tokens_in: (s, g, w) => `sum${g} (increase(${GENAI_TOKENS}_sum{${join(s, `${LABEL.tokenType}="input"`)}}[${w}]))`,
  tokens_out: (s, g, w) => `sum${g} (increase(${GENAI_TOKENS}_sum{${join(s, `${LABEL.tokenType}="output"`)}}[${w}]))`,
};

/** The chart metrics this source answers; `GET /v1/series/source` tells desktops (the rest 400). */
export const PROMETHEUS_SERIES_METRICS: readonly SeriesMetric[] = SeriesMetric.options.filter((m) => EXPR[m]);

function join(a: string, b: string): string {
  return a === '' ? b : `${a},${b}`;
}

/** Chart latencies are milliseconds; the histogram is seconds. */
function quantile(q: number, s: string, g: string, w: string): string {
  const by = g === '' ? ' by (le)' : g.replace(/\)$/, ', le)');
  return `1000 * histogram_quantile(${q}, sum${by} (rate(${GENAI_DURATION}_bucket{${s}}[${w}])))`;
}

/** The PromQL for a chart query, or undefined when the metric has no GenAI form. */
export function promqlFor(q: SeriesQuery): string | undefined {
  const make = EXPR[q.metric];
  if (!make) return undefined;
  const sel = (['service', 'provider', 'model'] as const)
    .filter((d) => q[d] !== undefined)
    .map((d) => `${BY_LABEL[d]}=${JSON.stringify(q[d])}`)
    .join(',');
  const by = q.by ? ` by (${BY_LABEL[q.by]})` : '';
  return make(sel, by, `${STEP_MS[q.step] / 1000}s`);
}

/**
 * `GET /v1/series` answered from a Prometheus HTTP API (`series.source.kind: prometheus`, issue
 * 17), in the same shape as the local answer: bucket starts aligned to the step, null for gaps,
 * at most `limit` series (the largest by total kept, `truncated` said). Each bucket [t, t+step)
 * is the PromQL value at t+step over the preceding step. Bounded: the call by `timeout`, the
 * answer by `maxResponseBytes`, the points by the same budget as local answers.
 */
export class PrometheusSeries {
  constructor(private readonly source: PromSource) {}

  async query(q: SeriesQuery): Promise<SeriesResponse> {
    const expr = promqlFor(q);
    if (expr === undefined)
      throw new HttpError(
        400,
        'invalid_field',
        `metric ${q.metric} is not available from the Prometheus series source`,
        'metric',
      );
    const stepMs = STEP_MS[q.step];
    const from = Math.floor(q.from / stepMs) * stepMs;
    const starts: number[] = [];
    for (let t = from; t < q.to; t += stepMs) starts.push(t);
    const params = new URLSearchParams({
      query: expr,
      start: String((from + stepMs) / 1000),
      end: String((starts[starts.length - 1]! + stepMs) / 1000),
      step: `${stepMs / 1000}s`,
      timeout: `${Math.ceil(this.source.timeout / 1000)}s`,
    });
    const answer = await this.fetch(params);
    const limit = seriesBudget(q.limit ?? DEFAULT_SERIES_LIMIT, from, q.to, stepMs);
    const all = (answer.data?.result ?? []).map((r) => {
      const byValue = new Map<number, number>();
      for (const [sec, v] of r.values) {
        const n = Number(v);
        if (Number.isFinite(n)) byValue.set(Math.round(sec * 1000) - stepMs, n);
      }
      const labels: Record<string, string> = q.by ? { [q.by]: r.metric[BY_LABEL[q.by]] ?? '' } : {};
      const series: Series = { labels, points: starts.map((t) => [t, byValue.get(t) ?? null]) };
      let volume = 0;
      for (const v of byValue.values()) volume += v;
      return { key: JSON.stringify(labels), series, volume };
    });
    const keep = topKeys(new Map(all.map((s) => [s.key, s.volume])), limit);
    const series = (keep ? all.filter((s) => keep.has(s.key)) : all).map((s) => s.series);
    return {
      metric: q.metric,
      step: q.step,
      series,
      ...(keep ? { truncated: true as const, totalSeries: all.length } : {}),
    };
  }

  private async fetch(params: URLSearchParams): Promise<PromRangeAnswer> {
    const url = `${this.source.url}/api/v1/query_range`;
    let text: string;
    let status: number;
    try {
      const res = await fetch(`${url}?${params.toString()}`, {
        signal: AbortSignal.timeout(this.source.timeout),
        redirect: 'error',
      });
      status = res.status;
      text = await readBounded(res, this.source.maxResponseBytes);
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      const why =
        err.name === 'TimeoutError' || err.name === 'AbortError'
          ? `no answer within ${this.source.timeout} ms`
          : (err.cause?.code ?? err.message);
      throw upstream(`Prometheus ${url}: ${why}`);
    }
    let parsed: z.infer<typeof PromRangeAnswer>;
    try {
      const r = PromRangeAnswer.safeParse(JSON.parse(text));
      if (!r.success) throw new Error('unexpected answer');
      parsed = r.data;
    } catch {
      throw upstream(`Prometheus ${url} answered ${status} with something other than a query_range result`);
    }
    if (parsed.status !== 'success') throw upstream(`Prometheus ${url} answered ${status}: ${parsed.error ?? 'error'}`);
    return parsed;
  }
}

function upstream(message: string): HttpError {
  return new HttpError(502, 'unavailable', truncateText(message, MAX_UPSTREAM_TEXT));
}

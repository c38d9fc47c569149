import type { SeriesGroupBy, SeriesMetric } from '../../../shared/protocol';
import type { ValueKind } from './chart-format';

export interface PanelQuery {
  metric: SeriesMetric;
  by?: SeriesGroupBy;
  /** Legend name when the answer is a single unlabelled series. */
  name: string;
}

export interface PanelSpec {
  id: string;
  title: string;
  /** One line under the title: what to look for. */
  hint: string;
  kind: ValueKind;
  queries: PanelQuery[];
  /** Hidden when the cache has no data for it at all (e.g. no eval suites report). */
  optional?: boolean;
  /** Values arrive rarely (eval runs): draw points and join them across empty buckets. */
  sparse?: boolean;
}

/** The Charts view, top to bottom: the field notes' page-worthy signals first. */
export const PANELS: readonly PanelSpec[] = [
  {
    id: 'latency',
    title: 'Latency',
    hint: 'p50 / p95 / p99 across the selection',
    kind: 'ms',
    queries: [
      { metric: 'latency_p50', name: 'p50' },
      { metric: 'latency_p95', name: 'p95' },
      { metric: 'latency_p99', name: 'p99' },
    ],
  },
  {
    id: 'errors',
    title: 'Error rate',
    hint: 'share of requests that failed, by model',
    kind: 'ratio',
    queries: [{ metric: 'error_rate', by: 'model', name: 'all' }],
  },
  {
    id: 'cost',
    title: 'Cost per hour',
    hint: 'USD, by model',
    kind: 'usdPerHour',
    queries: [{ metric: 'cost_usd', by: 'model', name: 'all' }],
  },
  {
    id: 'requests',
    title: 'Requests',
    hint: 'per minute, by model',
    kind: 'perMin',
    queries: [{ metric: 'requests', by: 'model', name: 'all' }],
  },
  {
    id: 'retrieval',
    title: 'Retrieval hit rate',
    hint: 'RAG lookups that found context, by service',
    kind: 'ratio',
    queries: [{ metric: 'retrieval_hit_rate', by: 'service', name: 'all' }],
    optional: true,
  },
  {
    id: 'feedback',
    title: 'Negative feedback',
    hint: 'thumbs-down share of rated answers, by service',
    kind: 'ratio',
    queries: [{ metric: 'negative_feedback_rate', by: 'service', name: 'all' }],
    optional: true,
  },
  {
    id: 'drift',
    title: 'Output mix',
    hint: 'share of each output label: drift shows as a shift',
    kind: 'ratio',
    queries: [{ metric: 'output_label_share', name: 'all' }],
    optional: true,
  },
  {
    id: 'evals',
    title: 'Eval accuracy',
    hint: 'per suite',
    kind: 'ratio',
    queries: [{ metric: 'eval_accuracy', name: 'all' }],
    optional: true,
    sparse: true,
  },
];

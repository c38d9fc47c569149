import { z } from 'zod';

/**
 * Chart series: `GET /v1/series` on the collector, the compact `GET /v1/rollups` export the
 * desktop cache syncs from, and `series.query` over the Api (answered from that cache).
 */

export const SeriesMetric = z.enum([
  'requests',
  'error_rate',
  'latency_p50',
  'latency_p95',
  'latency_p99',
  'cost_usd',
  'tokens_in',
  'tokens_out',
  'retrieval_hit_rate',
  'negative_feedback_rate',
  'output_label_share',
  'eval_accuracy',
]);
export type SeriesMetric = z.infer<typeof SeriesMetric>;

export const SeriesStep = z.enum(['1m', '5m', '1h']);
export type SeriesStep = z.infer<typeof SeriesStep>;

export const STEP_MS: Record<SeriesStep, number> = { '1m': 60_000, '5m': 300_000, '1h': 3_600_000 };

/** Which rollup dimension splits the answer into several series. */
export const SeriesGroupBy = z.enum(['service', 'provider', 'model']);
export type SeriesGroupBy = z.infer<typeof SeriesGroupBy>;

/** A chart never needs more points than a wide screen has pixels; more is a mistake or an attack. */
export const MAX_SERIES_POINTS = 5_000;

/**
 * Series per `GET /v1/series` answer (`limit`): the busiest by request volume are kept and the
 * answer says `truncated`. A label with thousands of values must not make a 10 MB answer.
 */
export const DEFAULT_SERIES_LIMIT = 100;
export const MAX_SERIES_LIMIT = 1_000;
/** Points (series × buckets) per answer, whatever `limit` says: about 3 MB of JSON. */
export const MAX_RESPONSE_POINTS = 100_000;

/** A positive integer query parameter (all strings on the wire). */
const QueryCount = (max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'expected a positive integer')
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

/** Epoch ms, given in a query string as digits or as an ISO 8601 time. */
const QueryTime = z.union([
  z
    .string()
    .regex(/^\d{1,15}$/, 'expected epoch milliseconds or an ISO 8601 time')
    .transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

const Dim = z.string().min(1).max(200);

/** `GET /v1/series` query parameters (all strings on the wire). */
export const SeriesQuery = z
  .object({
    metric: SeriesMetric,
    service: Dim.optional(),
    provider: Dim.optional(),
    model: Dim.optional(),
    from: QueryTime,
    to: QueryTime,
    step: SeriesStep.default('1m'),
    by: SeriesGroupBy.optional(),
    /** Most series in the answer (default DEFAULT_SERIES_LIMIT); fewer when MAX_RESPONSE_POINTS needs it. */
    limit: QueryCount(MAX_SERIES_LIMIT).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.to <= q.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    else if ((q.to - q.from) / STEP_MS[q.step] > MAX_SERIES_POINTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['step'],
        message: `from..to at step ${q.step} is more than ${MAX_SERIES_POINTS} points; use a coarser step`,
      });
    }
  });
export type SeriesQueryInput = z.input<typeof SeriesQuery>;
export type SeriesQuery = z.output<typeof SeriesQuery>;

/** `[bucket start epoch ms, value]`; null = no data in that bucket (a gap, not a zero). */
export const SeriesPoint = z.tuple([z.number(), z.number().nullable()]);
export type SeriesPoint = z.infer<typeof SeriesPoint>;

export const Series = z.object({
  /** What distinguishes this series: the group-by value, an output label, an eval suite. */
  labels: z.record(z.string(), z.string()),
  points: z.array(SeriesPoint),
  /** cost_usd: requests of models without a price in this range (their cost is unknown, not $0). */
  unpriced: z.number().int().positive().optional(),
  /** Rates: the denominator behind each point (requests, rated answers, lookups), aligned with `points`. */
  counts: z.array(z.number().int().nonnegative()).optional(),
});
export type Series = z.infer<typeof Series>;

// ---- Reference lines: what each rule compares the charted signal against (issue 14) ----

const Ms = z.number().int().nonnegative();
const On = z.boolean();

/**
 * The configured rule parameters a chart needs to draw the rule's line (a subset of the
 * collector's `rules.*` config). The collector sends them with every `GET /v1/rollups` page, so
 * the desktop cache can draw the same lines offline; nothing in the renderer hard-codes them.
 */
export const ChartRules = z.object({
  latencyP95: z.object({
    enabled: On,
    factor: z.number().positive(),
    sloFactor: z.number().positive(),
    windowMs: Ms,
    baselineMs: Ms,
    minHourSamples: z.number().int().positive(),
    minBaselineHours: z.number().int().positive(),
    slo: z
      .array(
        z.object({
          service: Dim.optional(),
          provider: Dim.optional(),
          model: Dim.optional(),
          p95: z.number().positive(),
        }),
      )
      .max(1_000),
  }),
  errorRate: z.object({ enabled: On, threshold: z.number().gt(0).lt(1) }),
  costAnomaly: z.object({ enabled: On, dailyFactor: z.number().positive(), trailingDays: z.number().int().positive() }),
  evalAccuracy: z.object({
    enabled: On,
    threshold: z.number().min(0).max(1),
    thresholds: z.record(z.string(), z.number().min(0).max(1)),
  }),
  outputDrift: z.object({
    enabled: On,
    threshold: z.number().positive(),
    windowMs: Ms,
    referenceMs: Ms,
    alpha: z.number().positive(),
  }),
  retrievalDrop: z.object({
    enabled: On,
    margin: z.number().gt(0).lt(1),
    windowMs: Ms,
    baselineMs: Ms,
    minBaselineSamples: z.number().int().positive(),
  }),
  negativeFeedback: z.object({
    enabled: On,
    margin: z.number().gt(0).lt(1),
    windowMs: Ms,
    baselineMs: Ms,
    minBaselineSamples: z.number().int().positive(),
  }),
});
export type ChartRules = z.infer<typeof ChartRules>;

/**
 * One horizontal line in the chart's display unit (a ratio, ms, or USD per hour for cost, whatever
 * the step): `baseline` is what the rule learned, `threshold` is where it fires.
 */
export const ReferenceLine = z.object({
  label: z.string().min(1).max(200),
  value: z.number(),
  role: z.enum(['baseline', 'threshold']),
  /** For per-series lines (an eval suite's threshold): the series labels it belongs to. */
  labels: z.record(z.string(), z.string()).optional(),
});
export type ReferenceLine = z.infer<typeof ReferenceLine>;

export const SeriesReference = z.object({
  /** When the baselines were evaluated (epoch ms): the end of the range, as the rule would at that minute. */
  at: z.number().int().nonnegative(),
  lines: z.array(ReferenceLine).max(1_000),
  /** Output mix only: KL(last window ‖ reference) of the selection, and the rule's threshold. */
  kl: z.object({ value: z.number().nonnegative().nullable(), threshold: z.number().positive() }).optional(),
});
export type SeriesReference = z.infer<typeof SeriesReference>;

export const SeriesResponse = z.object({
  metric: SeriesMetric,
  step: SeriesStep,
  series: z.array(Series),
  /** The rule's lines for this metric over this selection; absent when no rule watches it or the collector sent no rules. */
  reference: SeriesReference.optional(),
  /** Present when series were left out (the busiest are kept); absent when the answer is whole. */
  truncated: z.literal(true).optional(),
  /** With `truncated`: how many series there were before the cut. */
  totalSeries: z.number().int().nonnegative().optional(),
});
export type SeriesResponse = z.infer<typeof SeriesResponse>;

// ---- GET /v1/rollups: the compact export the desktop cache syncs from ----

export const RollupResolution = z.enum(['1m', '1h']);
export type RollupResolution = z.infer<typeof RollupResolution>;

export const MAX_ROLLUP_PAGE_ROWS = 20_000;
/**
 * Series per bucket in a `GET /v1/rollups` page: a bucket with more keeps its busiest
 * MAX_ROLLUP_BUCKET_ROWS - 1 series and merges the rest into one other/other/other row (totals
 * stay right), and the page says `truncated`.
 */
export const MAX_ROLLUP_BUCKET_ROWS = 5_000;

export const RollupsQuery = z
  .object({
    resolution: RollupResolution,
    from: QueryTime,
    /** Exclusive; open-ended when absent. */
    to: QueryTime.optional(),
    /** Rows per page (whole buckets are never split, so a page may exceed it by one bucket). */
    limit: QueryCount(MAX_ROLLUP_PAGE_ROWS).optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    if (q.to !== undefined && q.to <= q.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  });
export type RollupsQuery = z.output<typeof RollupsQuery>;

const Count = z.number().int().nonnegative();

/** One (service, provider, model) bucket of `resolution` starting at `t`. */
export const RollupRow = z.object({
  t: z.number().int().nonnegative(),
  service: Dim,
  provider: z.string().min(1).max(100),
  model: Dim,
  count: Count,
  errors: Count,
  tokensIn: Count,
  tokensOut: Count,
  costUsd: z.number().nonnegative(),
  unpriced: Count,
  retrievalHits: Count,
  retrievalMisses: Count,
  feedbackUp: Count,
  feedbackDown: Count,
  outputLabels: z.record(z.string(), Count),
  /** The merged latency DDSketch, in shared/rollup/sketch-codec's text encoding. */
  latency: z.string().max(1_000_000),
});
export type RollupRow = z.infer<typeof RollupRow>;

export const EvalRun = z.object({
  suite: z.string().min(1).max(200),
  ts: z.number().int().nonnegative(),
  accuracy: z.number().min(0).max(1),
  passed: Count.optional(),
  total: Count.optional(),
});
export type EvalRun = z.infer<typeof EvalRun>;

export const RollupsPage = z.object({
  resolution: RollupResolution,
  rows: z.array(RollupRow),
  /** Eval runs with `ts` inside the span this page covers. */
  evals: z.array(EvalRun),
  /** Where the next page starts (pass as `from`); absent on the last page. */
  next: z.number().int().nonnegative().optional(),
  /** The collector's configured rule thresholds, for the charts' reference lines (issue 14). */
  rules: ChartRules.optional(),
  /** Present when a bucket had more than MAX_ROLLUP_BUCKET_ROWS series (the rest merged into other/other/other). */
  truncated: z.literal(true).optional(),
});
export type RollupsPage = z.infer<typeof RollupsPage>;

// ---- Api: series.query, answered from the desktop cache ----

export const SeriesQueryParams = z
  .object({
    metric: SeriesMetric,
    service: Dim.optional(),
    provider: Dim.optional(),
    model: Dim.optional(),
    fromMs: z.number().int().nonnegative(),
    toMs: z.number().int().nonnegative(),
    by: SeriesGroupBy.optional(),
    /** When to evaluate the rule's lines (default `toMs`): an alert chart asks for when it fired. */
    referenceAtMs: z.number().int().nonnegative().optional(),
  })
  .strict()
  .refine((p) => p.toMs > p.fromMs, { path: ['toMs'], message: 'toMs must be after fromMs' });
export type SeriesQueryParams = z.infer<typeof SeriesQueryParams>;

export const CachedSeries = SeriesResponse.extend({
  /** When the chart cache last heard from the collector; absent if it never did. */
  syncedAt: z.iso.datetime({ offset: true }).optional(),
});
export type CachedSeries = z.infer<typeof CachedSeries>;

/** The filter choices the cache knows about. */
export const SeriesCatalog = z.object({
  keys: z.array(z.object({ service: z.string(), provider: z.string(), model: z.string() })),
  suites: z.array(z.string()),
  syncedAt: z.iso.datetime({ offset: true }).optional(),
});
export type SeriesCatalog = z.infer<typeof SeriesCatalog>;

import { z } from 'zod';

/** Where exported rules point their `runbook_url` annotations by default (the README's `--port 4318`). */
export const DEFAULT_RUNBOOK_BASE_URL = 'http://127.0.0.1:4318/v1/runbooks';
/** Default of `prometheus.metrics.maxSeries`: label sets `/metrics/genai` exports before folding into `other`. */
export const DEFAULT_GENAI_MAX_SERIES = 2_000;
/**
 * Upper bound of `prometheus.metrics.maxSeries`. A label set costs up to ~9 KB of exposition (a
 * duration histogram per error type, two token histograms, the cost line): 2,000 sets is ~18 MB
 * per scrape at worst, 20,000 is ~180 MB, past which a scrape is no longer a sane request.
 */
export const MAX_GENAI_MAX_SERIES = 20_000;

/**
 * The Prometheus scale path (issue 17): what `npm run rules:export -- --format prometheus`
 * writes into annotations, and the GenAI metrics the collector exports at `/metrics/genai`.
 */
export const PrometheusConfig = z.strictObject({
  /** `runbook_url` of an exported rule is `<runbookBaseUrl>/<rule id>`. */
  runbookBaseUrl: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .default(DEFAULT_RUNBOOK_BASE_URL),
  metrics: z
    .strictObject({
      /** `false`: `/metrics/genai` answers 404 and ingest keeps no counters for it. */
      enabled: z.boolean().default(true),
      /**
       * Distinct (service, provider, model, error type) label sets exported; the values are
       * already capped by `ingest.maxLabelValues`, this caps their combinations. Beyond it, new
       * sets are counted under `other` in every label.
       */
      maxSeries: z.number().int().positive().max(MAX_GENAI_MAX_SERIES).default(DEFAULT_GENAI_MAX_SERIES),
    })
    .prefault({}),
});
export type PrometheusConfig = z.output<typeof PrometheusConfig>;

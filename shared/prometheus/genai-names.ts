/**
 * The Prometheus names of the OpenTelemetry GenAI client metrics (semantic conventions
 * `gen_ai.client.operation.duration`, `gen_ai.client.token.usage`, dots become underscores and
 * units a suffix, as the OTel Collector's Prometheus exporter writes them), plus the one Vigil
 * adds for spend. The collector's `/metrics/genai` and `npm run rules:export` both use these, so
 * the exported rules evaluate over what the collector exports (and over an OTel pipeline's).
 */
export const GENAI_DURATION = 'gen_ai_client_operation_duration_seconds';
export const GENAI_TOKENS = 'gen_ai_client_token_usage';
/** Not an OTel metric: Vigil's priced spend (the sender's own cost, else the price table). */
export const GENAI_COST = 'vigil_gen_ai_client_cost_usd_total';

/** Label names: `service.name`, `gen_ai.provider.name`, `gen_ai.request.model`, `error.type`, `gen_ai.token.type`. */
export const LABEL = {
  service: 'service_name',
  provider: 'gen_ai_provider_name',
  model: 'gen_ai_request_model',
  errorType: 'error_type',
  tokenType: 'gen_ai_token_type',
} as const;

/** `error.type` of a failed request whose sender named no type (the OTel fallback value). */
export const ERROR_TYPE_OTHER = '_OTHER';

/** Bucket bounds the GenAI semantic conventions advise, seconds. */
export const DURATION_BUCKETS_S = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
] as const;
/** Bucket bounds the GenAI semantic conventions advise, tokens. */
export const TOKEN_BUCKETS = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
] as const;

/** The labels the rules aggregate by, in `by (...)` order. */
export const SERIES_LABELS = [LABEL.service, LABEL.provider, LABEL.model] as const;

import { z } from 'zod';
import { Tier } from '../protocol/alert.js';
import { RULE_CATALOG_CONFIG, RemediationAction, RollupRetentionConfig } from '../rules/config.js';
import { ERROR_RATE_DEFAULTS } from '../rules/error-rate.js';
import { Duration } from './duration.js';
import { EscalationConfig } from '../escalation/schema.js';
import { RotationConfig } from '../rotation/schema.js';
import { RotationOverridesConfig } from '../rotation/overrides-config.js';
import { GroupingConfig, InhibitConfig, SilencesConfig } from '../incidents/schema.js';
import { UserName } from '../protocol/stream.js';
import { EVENTS_V2_MAX_BYTES } from '../protocol/events-v2.js';
import { MIN_TOKEN_LENGTH } from './token.js';
import { AlertmanagerIntegrationConfig } from './alertmanager-config.js';
import { PrometheusConfig } from './prometheus-config.js';
import { SeriesConfig } from './series-config.js';
import { HealthConfig } from '../health/config.js';

/**
 * The collector's YAML config (`--config FILE`). Every section is optional and strict, so a
 * typo (`threshhold`) is an error naming its path rather than a silently ignored key.
 * Issue 4 adds the rest of the rule catalog as siblings of `errorRate` under `rules`.
 */

export const ErrorRateRuleConfig = z.strictObject({
  enabled: z.boolean().default(true),
  /** Fraction of requests, 0..1 (0.05 = 5%). */
  threshold: z.number().gt(0).lt(1).default(ERROR_RATE_DEFAULTS.threshold),
  /** Both ends of the proving span must run above the threshold over this long. */
  window: Duration.default(ERROR_RATE_DEFAULTS.windowMs),
  /** Superseded by the statistical decision (issue 13): accepted for old configs, ignored. */
  minSamples: z.number().int().positive().optional(),
  /** The shortest span the rate must be (provably) above the threshold over. */
  for: Duration.default(ERROR_RATE_DEFAULTS.forMs),
  /** How far the span may widen at low traffic (at most 2 h: the minute ring). */
  maxWindow: Duration.default(ERROR_RATE_DEFAULTS.maxWindowMs),
  /** One-sided confidence of the exact binomial test against `threshold`. */
  confidence: z.number().gt(0.5).lt(1).default(ERROR_RATE_DEFAULTS.confidence),
  /** "never page on single request failures": fewer failures in the span never page. */
  minErrors: z.number().int().min(2).default(ERROR_RATE_DEFAULTS.minErrors),
  keepFiringFor: Duration.default(ERROR_RATE_DEFAULTS.keepFiringForMs),
  tier: Tier.default('page'),
  action: RemediationAction.optional(),
  pageIfPersists: Duration.optional(),
});

export const RulesConfig = z.strictObject({
  /**
   * Rules evaluate an event-time minute once the newest event seen is this far past the
   * minute's end; data later than that still lands in its rollup but no longer re-evaluates.
   */
  allowedLateness: Duration.default(60_000),
  errorRate: ErrorRateRuleConfig.prefault({}),
  /** The rest of the catalog (issue 4): shared/rules/config.ts. */
  ...RULE_CATALOG_CONFIG,
});

/** Default of `ingest.maxFutureSkew` (issue 11). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Distinct values kept per label before new ones fold into `other` (see electron/collector/ingest/label-cap.ts). */
export const DEFAULT_MAX_LABEL_VALUES = 500;

export const IngestConfig = z.strictObject({
  /**
   * Events, spans and eval runs dated further than this ahead of the collector's clock are
   * refused (400 naming `ts`), and the rules' watermark never passes the clock plus this.
   */
  maxFutureSkew: Duration.default(DEFAULT_MAX_FUTURE_SKEW_MS),
  maxBatchEvents: z.number().int().positive().default(10_000),
  /**
   * Distinct values per label (service, provider, model, output_label) the rollups and rules
   * track; values beyond it are counted under `other` and raise one `label-cardinality` ticket
   * per label. Bounds memory and series counts against senders that put ids in labels.
   */
  maxLabelValues: z.number().int().positive().max(100_000).default(DEFAULT_MAX_LABEL_VALUES),
  maxBodyBytes: z
    .number()
    .int()
    .positive()
    .default(10 * 1024 * 1024),
});

export const StreamConfig = z.strictObject({
  heartbeat: Duration.default(10_000),
  /** Peers silent for this long are terminated. */
  deadAfter: Duration.default(30_000),
});

/**
 * What the collector keeps, so its database cannot grow without bound. The alert event log is
 * pruned oldest first (a prefix, so replay stays gap-free); clients further behind than the
 * oldest kept entry get a snapshot instead of a replay.
 */
export const RetentionConfig = z.strictObject({
  /** Alert log entries older than this are pruned. */
  eventLog: Duration.default(30 * 24 * 60 * 60_000),
  /** And never more than this many log entries, whatever their age. */
  eventLogMaxRows: z.number().int().positive().default(1_000_000),
  /** How often the maintenance tick runs. */
  interval: Duration.refine((ms) => ms > 0, 'interval must be positive').default(60 * 60_000),
});

export const UserDefaults = z.strictObject({
  /** Actor recorded for changes made without a named user. */
  actor: z.string().min(1).default('collector'),
  /** The team's time zone (escalation business hours, rotations). */
  timeZone: z.string().min(1).default('UTC'),
});

/**
 * When an eval job runs: an interval ("1h", "24h", "90s") counted from the previous due time,
 * or a daily time in the team's time zone ("daily@03:00"); plain "daily" means "daily@03:00"
 * (results are in before the working day, outside peak traffic).
 */
export const EvalSchedule = z
  .string()
  .regex(
    /^(daily(@([01]\d|2[0-3]):[0-5]\d)?|[1-9]\d*(ms|s|m|h|d))$/,
    'expected "daily", "daily@HH:MM" (24 h, team time zone) or an interval like "1h" / "24h"',
  );

export const EvalJobConfig = z.strictObject({
  /** The suite name the runs are stored under (also the job's identity for its persisted schedule). */
  suite: z.string().min(1).max(200),
  /**
   * An argv array runs without a shell (preferred: no quoting surprises); a string runs through
   * the platform shell (`/bin/sh -c`), so pipes and env expansion work.
   */
  command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  schedule: EvalSchedule.default('daily'),
  timeout: Duration.refine((ms) => ms > 0, 'timeout must be positive').default(10 * 60_000),
  /** Working directory of the job; default: the collector's. */
  cwd: z.string().min(1).optional(),
  /** Extra environment variables for the job. */
  env: z.record(z.string(), z.string()).optional(),
});
export type EvalJobConfig = z.output<typeof EvalJobConfig>;

/** Default of `evals.maxSuites`: distinct eval suites POST /v1/evals may create (issue 11 review). */
export const DEFAULT_MAX_EVAL_SUITES = 500;

export const EvalsConfig = z.strictObject({
  /**
   * Distinct suites POST /v1/evals may create; a run of a new suite beyond it is a 400 naming
   * `suite`. The eval-accuracy rule queries every suite on each batch, so suites are a
   * cardinality door like label values (ingest.maxLabelValues). Configured jobs always record.
   */
  maxSuites: z.number().int().positive().max(100_000).default(DEFAULT_MAX_EVAL_SUITES),
  jobs: z
    .array(EvalJobConfig)
    .default([])
    .superRefine((jobs, ctx) => {
      const seen = new Set<string>();
      jobs.forEach((j, i) => {
        if (seen.has(j.suite))
          ctx.addIssue({ code: 'custom', path: [i, 'suite'], message: `duplicate suite "${j.suite}"` });
        seen.add(j.suite);
      });
    }),
});

/**
 * Webhook senders. Alertmanager authenticates with the bearer token
 * (`http_config.authorization: {credentials: <token>}`); PagerDuty-style senders usually cannot
 * set headers, so an Events-v2 body whose `routing_key` is listed here is accepted without one.
 */
export const IntegrationsConfig = z.strictObject({
  /** Intake (`defaultTier`) and, with `url`, silences made on ack (issue 17): alertmanager-config.ts. */
  alertmanager: AlertmanagerIntegrationConfig.prefault({}),
  eventsV2: z
    .strictObject({
      routingKeys: z.array(z.string().min(16, 'routing keys must be at least 16 characters')).default([]),
    })
    .prefault({}),
});

/**
 * The collector's HTTP server (issue 11): every connection and request is bounded in time, and
 * the number of connections is capped, so slow or idle clients cannot pile up.
 */
export const ServerConfig = z.strictObject({
  /**
   * A request (headers and body) must arrive within this long, or it is answered 408 and closed.
   * A backstop for senders known by their token: a large batch on a slow link may take minutes
   * (bodies read before the sender is known have `unauthenticatedBodyTimeout`, headers
   * `headersTimeout`, and a stranger's body is never read past the answer).
   */
  requestTimeout: Duration.refine((ms) => ms > 0, 'requestTimeout must be positive').default(5 * 60_000),
  /** The request headers must arrive within this long (slowloris); must not exceed requestTimeout. */
  headersTimeout: Duration.refine((ms) => ms > 0, 'headersTimeout must be positive').default(10_000),
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeout: Duration.refine((ms) => ms > 0, 'keepAliveTimeout must be positive').default(5_000),
  /** Open connections (stream clients included); connections over the cap are closed at once. */
  maxConnections: z.number().int().positive().default(1024),
  /** Requests served on one keep-alive connection before it is closed (0 = no limit). */
  maxRequestsPerSocket: z.number().int().nonnegative().default(1000),
  /** Header lines per request (node's default is 2000). */
  maxHeadersCount: z.number().int().positive().default(100),
  /**
   * Bodies read before the sender is authenticated (Events-v2 with a routing_key and no bearer
   * token) share this many bytes, counted as they arrive (not as announced, so slow clients hold
   * next to nothing); the requests of one remote host (IPv4 address, IPv6 /64) hold at most a
   * quarter of it. A body that does not fit is answered 503 (at once when its declared length
   * does not fit).
   */
  unauthenticatedBodyBytes: z
    .number()
    .int()
    .positive()
    // Eight Events-v2 bodies at PagerDuty's size limit.
    .default(8 * EVENTS_V2_MAX_BYTES),
  /** Such a body must arrive in full within this long, or it is answered 408. */
  unauthenticatedBodyTimeout: Duration.refine((ms) => ms > 0, 'unauthenticatedBodyTimeout must be positive').default(
    5_000,
  ),
});
export type ServerConfig = z.output<typeof ServerConfig>;

/** Where the collector serves team runbooks from (issue 7). */
export const RunbooksConfig = z.strictObject({
  /** A folder of `<id>.md` runbooks; default: the bundled runbooks/ folder. Relative paths resolve against the collector's working directory. */
  dir: z.string().min(1).optional(),
  /** How stale a listing may be before the folder is checked for edits again. */
  rescanAfter: Duration.default(2_000),
});

/** One person with their own token; the config holds its SHA-256 only (mint one: `npm run token:mint -- --user NAME`). */
export const UserTokenConfig = z.strictObject({
  name: UserName,
  tokenSha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'must be the hex SHA-256 of the token (64 hex characters)')
    .transform((h) => h.toLowerCase()),
});

/**
 * Per-person tokens. With any listed, a stream `hello` must name the token's own user (nobody
 * acknowledges as someone else) and the shared token no longer opens streams; it keeps working
 * for senders (ingest). Empty (the default, the bundled single-user case): the shared token does
 * everything, as before.
 */
export const UsersConfig = z
  .array(UserTokenConfig)
  .default([])
  .superRefine((users, ctx) => {
    const names = new Set<string>();
    const digests = new Set<string>();
    users.forEach((u, i) => {
      if (names.has(u.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate user "${u.name}"` });
      if (digests.has(u.tokenSha256))
        ctx.addIssue({ code: 'custom', path: [i, 'tokenSha256'], message: 'two users share one token' });
      names.add(u.name);
      digests.add(u.tokenSha256);
    });
  });

export const CollectorConfig = z.strictObject({
  token: z.string().min(MIN_TOKEN_LENGTH, `token must be at least ${MIN_TOKEN_LENGTH} characters`).optional(),
  host: z.string().min(1).optional(),
  /** Per-person tokens (see UsersConfig). */
  users: UsersConfig,
  ingest: IngestConfig.prefault({}),
  rules: RulesConfig.prefault({}),
  /** Rollup downsampling and raw-event retention (issue 4 rules half): shared/rules/config.ts. */
  rollups: RollupRetentionConfig.prefault({}),
  stream: StreamConfig.prefault({}),
  retention: RetentionConfig.prefault({}),
  defaults: UserDefaults.prefault({}),
  /** Scheduled eval jobs (issue 4). */
  evals: EvalsConfig.prefault({}),
  /** Alertmanager / Events-v2 webhooks (issue 4). */
  integrations: IntegrationsConfig.prefault({}),
  /** Paging: per-tier policy, business hours, auto-resolve (issue 6). */
  escalation: EscalationConfig.prefault({}),
  /** The on-call rotation; without it levels page the role names ("primary", "secondary"). */
  rotation: RotationConfig.optional(),
  /** Bounds on the overrides desktops make (count, span, lead time): shared/rotation/overrides-config.ts. */
  rotationOverrides: RotationOverridesConfig.prefault({}),
  /** Team runbooks served at /v1/runbooks (issue 7). */
  runbooks: RunbooksConfig.prefault({}),
  /** Incidents (issue 12): which alerts share an incident, and how long the first ring waits. */
  grouping: GroupingConfig.prefault({}),
  /** Alertmanager-style inhibit rules (default: provider-down inhibits its provider's pages and tickets). */
  inhibit: InhibitConfig.prefault({}),
  /** Bounds on silences made from desktops. */
  silences: SilencesConfig.prefault({}),
  /** The Prometheus scale path (issue 17): exported rules' runbook links, `/metrics/genai`. */
  prometheus: PrometheusConfig.prefault({}),
  /** Where `GET /v1/series` reads from: local rollups or a Prometheus (issue 17): series-config.ts. */
  series: SeriesConfig.prefault({}),
  /** On-call health (issue 15): how long the health copy of the incident log and the fatigue pulses are kept. */
  health: HealthConfig.prefault({}),
  /** HTTP server timeouts and connection caps (issue 11). */
  server: ServerConfig.prefault({}).refine((s) => s.headersTimeout <= s.requestTimeout, {
    message: 'headersTimeout must not exceed requestTimeout',
    path: ['headersTimeout'],
  }),
});
export type CollectorConfig = z.output<typeof CollectorConfig>;
export type CollectorConfigInput = z.input<typeof CollectorConfig>;

/** Validates parsed YAML; errors are `path: message` lines, e.g. `rules.errorRate.threshold: expected number`. */
export function parseCollectorConfig(
  raw: unknown,
): { ok: true; config: CollectorConfig } | { ok: false; errors: string[] } {
  const r = CollectorConfig.safeParse(raw ?? {});
  if (r.success) return { ok: true, config: r.data };
  return {
    ok: false,
    errors: r.error.issues.map(
      (i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message.replace(/^Invalid input: /, '')}`,
    ),
  };
}

export function defaultCollectorConfig(): CollectorConfig {
  return CollectorConfig.parse({});
}

import { z } from 'zod';
import { Duration } from '../config/duration.js';
import { AlertSource, AlertStatus, Tier } from '../protocol/alert.js';
import { IncidentStatus, LabelName, Matchers, SILENCE_HARD_MAX_MS, Silence } from '../protocol/incident.js';
import { ownRecord } from './records.js';

export {
  Incident,
  IncidentList,
  IncidentStatus,
  Matcher,
  MatcherOp,
  Silence,
  SilenceList,
} from '../protocol/incident.js';

/* ---------- configuration sections (collector-config.ts: `grouping`, `inhibit`, `silences`) ---------- */

export const GROUPING_DEFAULTS = {
  /** The first label set whose labels an alert all carries names its group: service, else provider. */
  by: [['service'], ['provider']] as readonly (readonly string[])[],
  /** An alert joins the open incident with its key if that incident gained a member this recently. */
  windowMs: 60 * 60_000,
  /** Wall time from an incident opening to its first ring, so alerts that arrive together ring once. */
  waitMs: 30_000,
} as const;

/** Label sets tried in order; more would be a routing tree, which this is not. */
export const MAX_GROUP_BY_SETS = 8;
export const MAX_GROUP_BY_LABELS = 16;

export const GroupingConfig = z.strictObject({
  by: z
    .array(z.array(LabelName).min(1).max(MAX_GROUP_BY_LABELS))
    .min(1)
    .max(MAX_GROUP_BY_SETS)
    .default(() => GROUPING_DEFAULTS.by.map((set) => [...set])),
  window: Duration.refine((ms) => ms > 0, 'window must be positive').default(GROUPING_DEFAULTS.windowMs),
  wait: Duration.default(GROUPING_DEFAULTS.waitMs),
});
export type GroupingConfig = z.output<typeof GroupingConfig>;

export const MAX_EQUAL_LABELS = 16;

/**
 * Alertmanager's inhibit rule: while an alert matching `source` fires, alerts matching `target`
 * whose `equal` labels have the same values (a missing label counts as "") are inhibited.
 */
export const InhibitRule = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  source: Matchers.min(1),
  target: Matchers.min(1),
  equal: z.array(LabelName).max(MAX_EQUAL_LABELS).default([]),
});
export type InhibitRule = z.output<typeof InhibitRule>;

/** Default rule (issue 12): a firing provider-down inhibits page- and ticket-tier alerts of the same provider. */
export const DEFAULT_INHIBIT_RULES: readonly z.input<typeof InhibitRule>[] = [
  {
    name: 'provider-down',
    source: [{ name: 'alertname', op: '=', value: 'provider-down' }],
    target: [{ name: 'tier', op: '=~', value: 'page|ticket' }],
    equal: ['provider'],
  },
];

export const MAX_INHIBIT_RULES = 100;

export const InhibitConfig = z.strictObject({
  rules: z
    .array(InhibitRule)
    .max(MAX_INHIBIT_RULES)
    .prefault(() => [...DEFAULT_INHIBIT_RULES]),
});
export type InhibitConfig = z.output<typeof InhibitConfig>;

/** Default of `silences.maxDuration`: a forgotten silence must not hide pages for good. */
export const DEFAULT_SILENCE_MAX_DURATION_MS = 7 * 24 * 3_600_000;

export const SilencesConfig = z.strictObject({
  maxDuration: Duration.refine(
    (ms) => ms > 0 && ms <= SILENCE_HARD_MAX_MS,
    `maxDuration must be positive and at most ${SILENCE_HARD_MAX_MS} ms (366d)`,
  ).default(DEFAULT_SILENCE_MAX_DURATION_MS),
});
export type SilencesConfig = z.output<typeof SilencesConfig>;

/** What the core reads: the three sections as parsed. */
export interface IncidentsConfig {
  grouping: GroupingConfig;
  inhibit: InhibitConfig;
  silences: SilencesConfig;
}

/**
 * The three sections together, as the collector config will hold them once the collector runs
 * the pipeline (they join CollectorConfig then: a key the collector would silently ignore is
 * worse than an unknown-key error).
 */
export const IncidentsConfigSchema = z.strictObject({
  grouping: GroupingConfig.prefault({}),
  inhibit: InhibitConfig.prefault({}),
  silences: SilencesConfig.prefault({}),
});

export function defaultIncidentsConfig(): IncidentsConfig {
  return { grouping: GroupingConfig.parse({}), inhibit: InhibitConfig.parse({}), silences: SilencesConfig.parse({}) };
}

/* ---------- core state (JSON-serialisable; times are epoch ms) ---------- */

const Ms = z.number().int().nonnegative();

/** What the pipeline is told about an alert: its current snapshot from the alert store. */
export const AlertInput = z.object({
  id: z.string().min(1),
  ruleId: z.string(),
  tier: Tier,
  status: AlertStatus,
  source: AlertSource,
  summary: z.string(),
  labels: ownRecord(z.string()),
  /** Alertmanager webhooks: the group the alert came in, kept as the incident key. */
  groupKey: z.string().optional(),
  firedAt: Ms,
});
export type AlertInput = z.infer<typeof AlertInput>;

/** A member as the core keeps it: the snapshot plus its incident and why it is quiet. */
export const AlertRecord = AlertInput.extend({
  incidentId: z.string(),
  /** Id of the alert inhibiting it (Alertmanager: the source alert's fingerprint). */
  inhibitedBy: z.string().optional(),
  /** Id of the first active silence matching it. */
  silencedBy: z.string().optional(),
});
export type AlertRecord = z.infer<typeof AlertRecord>;

export const RingReason = z.enum(['opened', 'promoted', 'escalated', 'unsnoozed', 'reopened']);
export type RingReason = z.infer<typeof RingReason>;

export const IncidentRecord = z.object({
  id: z.string(),
  key: z.string(),
  openedAt: Ms,
  /** Latest time a member joined; the grouping window counts from it. */
  lastJoinAt: Ms,
  status: IncidentStatus,
  tier: Tier,
  title: z.string(),
  alertIds: z.array(z.string()),
  /** Rings sent so far; ring n+1 is the next one. */
  rings: z.number().int().nonnegative(),
  /** The next ring, due at `dueAt` (group wait for the first). Survives a restart with the state. */
  pendingRing: z.object({ reason: RingReason, dueAt: Ms }).optional(),
  /** The notification text changed since the last one sent (a member joined): replace it silently. */
  textDirty: z.boolean(),
  /** Tier at the last ring: an incident never rings lower than it already rang. */
  rungTier: Tier.optional(),
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: Ms.optional(),
  mitigatedAt: Ms.optional(),
  snoozedUntil: Ms.optional(),
  resolvedAt: Ms.optional(),
  /** Every member moved to this incident (inhibition); this one closed empty. */
  mergedInto: z.string().optional(),
  escalation: z
    .object({ level: z.number().int().positive(), target: z.string(), dueAt: Ms, nextTarget: z.string().optional() })
    .optional(),
});
export type IncidentRecord = z.infer<typeof IncidentRecord>;

export const IncidentCoreState = z.object({
  /** Next incident number (ids are `inc-<n>`, deterministic so the core stays pure). */
  seq: z.number().int().nonnegative(),
  incidents: ownRecord(IncidentRecord),
  alerts: ownRecord(AlertRecord),
  /** Group key → the newest open incident with it. */
  openByKey: ownRecord(z.string()),
  silences: z.array(Silence),
});
export type IncidentCoreState = z.infer<typeof IncidentCoreState>;

export function emptyIncidentState(): IncidentCoreState {
  return { seq: 1, incidents: {}, alerts: {}, openByKey: {}, silences: [] };
}

/** Restores a persisted state: JSON text in, validated state out (a restart replays pending rings once). */
export function restoreIncidentState(json: string): IncidentCoreState {
  return IncidentCoreState.parse(JSON.parse(json));
}

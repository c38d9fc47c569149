import { z } from 'zod';
import { DAY_MS } from '../clock.js';

/**
 * Issue 15 wire shapes (protocol 6): `GET /v1/health?from=ISO&to=ISO` and the fatigue pulse
 * (`pulse` commands). Every figure is computed by shared/health/ from the collector's incident
 * log, rotation and rollups; times are ISO 8601 UTC, durations seconds, hours decimal hours.
 */

const IsoTime = z.iso.datetime({ offset: true });

/** The widest range one health query may cover (a year and a day: a leap year's weeks). */
export const MAX_HEALTH_RANGE_MS = 366 * DAY_MS;
/** Weeks the Health view shows: this rotation and the last 12. */
export const HEALTH_VIEW_WEEKS = 13;

/** A mean over the pages that have the moment; null when none has (no acked page, nothing mitigated…). */
const MeanSeconds = z.number().nonnegative().nullable();

export const HealthFigures = z.object({
  /** Paged incidents (an incident's page: from its first notification to its resolution) starting in the range. */
  pages: z.number().int().nonnegative(),
  /** Of those, the ones first notified outside business hours (team zone, holidays count as outside). */
  offHoursPages: z.number().int().nonnegative(),
  /** First notification → first acknowledgement (wall clock). */
  mttaSeconds: MeanSeconds,
  /** First notification → first `mitigated` entry, or the resolution when it resolved unmitigated. */
  mttmSeconds: MeanSeconds,
  /** First notification → resolution. */
  mttrSeconds: MeanSeconds,
  /** Pages not acknowledged within their tier's ack SLA (business / outside hours, chosen at the first notification). */
  ackSlaBreaches: z.number().int().nonnegative(),
  /** `escalated` entries of those pages (automatic and manual). */
  escalations: z.number().int().nonnegative(),
});
export type HealthFigures = z.infer<typeof HealthFigures>;

export const UserHealth = z.object({
  /** Pages this person held (the level-1 target of the first notification). */
  pages: z.number().int().nonnegative(),
  offHoursPages: z.number().int().nonnegative(),
  mttaSeconds: MeanSeconds,
  /** Hours holding primary or secondary in the range (overrides and swaps included; both at once count once). */
  onCallHours: z.number().nonnegative(),
  /** Of those, hours outside business hours (the basis for on-call pay). */
  offHoursOnCallHours: z.number().nonnegative(),
});
export type UserHealth = z.infer<typeof UserHealth>;

const ByUser = z.record(z.string(), UserHealth);

/** One rotation week (handoff to handoff; Monday 00:00 in the team zone without a rotation), clipped to the range. */
export const HealthWeek = HealthFigures.extend({ from: IsoTime, to: IsoTime, byUser: ByUser });
export type HealthWeek = z.infer<typeof HealthWeek>;

/** A pulse comment is a sentence or two, not a postmortem. */
export const PULSE_MAX_COMMENT = 500;

/** Comments shown per quarter at most (the latest): a glance at how shifts felt, not an archive. */
export const PULSE_COMMENTS_PER_QUARTER = 5;

/** One pulse comment as the Health view shows it: no name (the pulse is about the load, not the person). */
export const PulseComment = z.object({
  shiftEnd: IsoTime,
  score: z.number().int().min(1).max(5),
  comment: z.string().max(PULSE_MAX_COMMENT),
});
export type PulseComment = z.infer<typeof PulseComment>;

/** Fatigue pulse answers of one calendar quarter (team zone), beside that quarter's pages. */
export const PulseQuarter = z.object({
  /** "2026-Q4". */
  quarter: z.string().regex(/^\d{4}-Q[1-4]$/),
  from: IsoTime,
  to: IsoTime,
  responses: z.number().int().nonnegative(),
  /** Mean score 1–5; null without responses. */
  average: z.number().min(1).max(5).nullable(),
  pages: z.number().int().nonnegative(),
  /** The quarter's latest comments, newest first (absent from collectors before the review fix). */
  comments: z.array(PulseComment).max(PULSE_COMMENTS_PER_QUARTER).optional(),
});
export type PulseQuarter = z.infer<typeof PulseQuarter>;

/** Minutes and failed requests of one service lost while its provider was down (a provider-down alert). */
export const ProviderLoss = z.object({
  provider: z.string(),
  minutes: z.number().nonnegative(),
  failed: z.number().nonnegative(),
});
export type ProviderLoss = z.infer<typeof ProviderLoss>;

export const ServiceAvailability = z.object({
  service: z.string(),
  requests: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  /** 1 − failed / requests; null without requests. */
  availability: z.number().min(0).max(1).nullable(),
  /** Availability with the failures attributed to provider outages taken out (the provider's, not ours). */
  availabilityExcludingProviders: z.number().min(0).max(1).nullable(),
  providerLosses: z.array(ProviderLoss),
});
export type ServiceAvailability = z.infer<typeof ServiceAvailability>;

export const SloWeek = z.object({ from: IsoTime, to: IsoTime, services: z.array(ServiceAvailability) });
export type SloWeek = z.infer<typeof SloWeek>;

/** `GET /v1/health` answers this. */
export const HealthAnswer = HealthFigures.extend({
  from: IsoTime,
  to: IsoTime,
  /** The team's zone weeks and quarters are reckoned in (teamTimeZone: the rotation's, else business hours'); off hours use business hours' own. */
  timeZone: z.string(),
  generatedAt: IsoTime,
  byUser: ByUser,
  weeks: z.array(HealthWeek),
  pulse: z.array(PulseQuarter),
  slo: z.array(SloWeek),
});
export type HealthAnswer = z.infer<typeof HealthAnswer>;

/**
 * One fatigue pulse answer (a `pulse` command, through the outbox): how the shift that ended at
 * `shiftEnd` felt, 1 (fine) … 5 (exhausted), with an optional comment. One answer per person and
 * shift: a second one for the same shift replaces the first.
 */
export const PulseRequest = z.strictObject({
  shiftEnd: IsoTime,
  score: z.number().int().min(1).max(5),
  comment: z.string().max(PULSE_MAX_COMMENT).optional(),
});
export type PulseRequest = z.infer<typeof PulseRequest>;

/** The desktop's cached answer (what the Health view shows offline, with "as of"). */
export const CachedHealth = z.object({ answer: HealthAnswer, syncedAt: IsoTime });
export type CachedHealth = z.infer<typeof CachedHealth>;

/** The shift the desktop asks the fatigue pulse about: this user's latest ended shift, not yet answered or skipped. */
export const PulsePrompt = z.object({
  shiftEnd: IsoTime,
  shiftStart: IsoTime,
  role: z.enum(['primary', 'secondary']),
});
export type PulsePrompt = z.infer<typeof PulsePrompt>;

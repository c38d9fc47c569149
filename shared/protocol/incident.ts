import { RE2JS } from 're2js';
import { z } from 'zod';
import { Escalation, Tier } from './alert.js';
import { UserName } from './user.js';

/**
 * Issue 12 wire shapes (protocol 5): incidents, label matchers and silences. The collector's
 * notify core (shared/incidents/) keeps them; `GET /v1/incidents`, `GET /v1/silences`, the
 * stream's `incident` and `silences` frames and `silence` / `expire-silence` commands carry them.
 */

const IsoTime = z.iso.datetime({ offset: true });

/** Label names as Prometheus allows them; the same bound as an Alertmanager label name. */
export const MATCHER_MAX_NAME = 256;
/** A literal value longer than any stored label value can never match: refuse it. */
export const MATCHER_MAX_VALUE = 1024;
/** Regex patterns are short: a person writes them (RE2 keeps even long ones linear in time). */
export const MATCHER_MAX_REGEX = 256;

export const LabelName = z
  .string()
  .max(MATCHER_MAX_NAME)
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'label names are [a-zA-Z_][a-zA-Z0-9_]*');

/** Alertmanager's four match types. */
export const MatcherOp = z.enum(['=', '!=', '=~', '!~']);
export type MatcherOp = z.infer<typeof MatcherOp>;

export function isRegexOp(op: MatcherOp): boolean {
  return op === '=~' || op === '!~';
}

/** A compiled matcher regex: does it match the whole value? */
export interface MatcherRegex {
  matches(value: string): boolean;
}

/**
 * A regex matcher is fully anchored, as in Alertmanager: `=~"open.*"` matches "openai", never
 * "reopenai". Patterns are RE2 (Alertmanager's and Prometheus's syntax, `(?i)` included), run by
 * re2js, whose matching time is linear in the value: a silence made from a desktop runs against
 * every held alert on every change, so a backtracking engine would let one pattern such as
 * `(x|xx)*y` freeze the collector. Throws on a pattern RE2 refuses (backreferences, lookaround).
 */
export function anchoredRegex(pattern: string): MatcherRegex {
  const re = RE2JS.compile(pattern);
  return { matches: (value) => re.matches(value) };
}

/** `name op "value"`, for error messages and the UI. */
export function matcherText(m: { name: string; op: MatcherOp; value: string }): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

export const Matcher = z
  .strictObject({
    name: LabelName,
    op: MatcherOp,
    value: z.string().max(MATCHER_MAX_VALUE),
  })
  .superRefine((m, ctx) => {
    if (!isRegexOp(m.op)) return;
    if (m.value.length > MATCHER_MAX_REGEX) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `matcher ${m.name}${m.op}…: regular expressions are at most ${MATCHER_MAX_REGEX} characters (got ${m.value.length})`,
      });
      return;
    }
    try {
      anchoredRegex(m.value);
    } catch (e) {
      ctx.addIssue({
        code: 'custom',
        path: ['value'],
        message: `matcher ${matcherText(m)}: invalid regular expression (${e instanceof Error ? e.message : String(e)})`,
      });
    }
  });
export type Matcher = z.infer<typeof Matcher>;

/** Matchers are AND-ed; more than this is no longer a rule a person wrote. */
export const MAX_MATCHERS = 32;
export const Matchers = z.array(Matcher).max(MAX_MATCHERS);

export const SILENCE_MAX_COMMENT = 2000;
export const SILENCE_MAX_ID = 200;

/**
 * A silence: alerts matching every matcher while `startsAt ≤ now < endsAt` are recorded and
 * shown as silenced, and never notify. Expiring one early sets `endsAt` to the moment of
 * expiry. The duration bound (`silences.maxDuration`) is checked by shared/incidents/silence.ts,
 * since it is configuration, not shape.
 */
/**
 * The longest any silence can be, whatever `silences.maxDuration` says: the wire shape itself is
 * bounded, so no stored or replayed silence can hide pages for good.
 */
export const SILENCE_HARD_MAX_MS = 366 * 24 * 3_600_000;

export const Silence = z
  .strictObject({
    id: z.string().min(1).max(SILENCE_MAX_ID),
    matchers: Matchers.min(1),
    startsAt: IsoTime,
    endsAt: IsoTime,
    createdBy: UserName,
    comment: z.string().max(SILENCE_MAX_COMMENT),
  })
  .superRefine((s, ctx) => {
    const length = Date.parse(s.endsAt) - Date.parse(s.startsAt);
    if (length < 0) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'endsAt must not be before startsAt' });
    if (length > SILENCE_HARD_MAX_MS) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: `a silence lasts at most ${SILENCE_HARD_MAX_MS} ms` });
    }
  });
export type Silence = z.infer<typeof Silence>;

export const SilenceList = z.object({ silences: z.array(Silence) });
export type SilenceList = z.infer<typeof SilenceList>;

/** An incident's status; `mitigatedAt` marks a mitigated one that is still open. */
export const IncidentStatus = z.enum(['firing', 'acknowledged', 'snoozed', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

/** Who holds the incident's page and when it escalates next (per incident, not per alert). */
export const IncidentEscalation = Escalation;
export type IncidentEscalation = Escalation;

/** The incident as `GET /v1/incidents` will carry it. Times are ISO 8601 UTC. */
export const Incident = z.object({
  id: z.string(),
  /** The group key its members share (`{service="chat"}`, `am:<groupKey>`). */
  key: z.string(),
  tier: Tier,
  status: IncidentStatus,
  title: z.string(),
  alertIds: z.array(z.string()),
  firedAt: IsoTime,
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: IsoTime.optional(),
  mitigatedAt: IsoTime.optional(),
  snoozedUntil: IsoTime.optional(),
  resolvedAt: IsoTime.optional(),
  escalation: IncidentEscalation.optional(),
  /** Every open member is silenced: shown as silenced, never notifies. */
  silenced: z.boolean().optional(),
  /** Members held quiet by an inhibition rule (they joined the inhibiting alert's incident). */
  inhibitedAlertIds: z.array(z.string()).optional(),
});
export type Incident = z.infer<typeof Incident>;

export const IncidentList = z.object({ incidents: z.array(Incident) });
export type IncidentList = z.infer<typeof IncidentList>;

/**
 * A silence as a desktop asks for it (a `silence` command, through the outbox so it works
 * offline). The collector fills in the rest: the id is the command's id (so a command replayed
 * after a reconnect makes one silence), `createdBy` the authenticated user, `startsAt` defaults
 * to when the collector applies it. `silences.maxDuration` bounds `endsAt - startsAt`.
 */
export const SilenceRequest = z
  .strictObject({
    matchers: Matchers.min(1),
    startsAt: IsoTime.optional(),
    endsAt: IsoTime,
    comment: z.string().max(SILENCE_MAX_COMMENT),
  })
  .refine((s) => s.startsAt === undefined || Date.parse(s.endsAt) > Date.parse(s.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  });
export type SilenceRequest = z.infer<typeof SilenceRequest>;

/** Whether a silence mutes alerts at `nowMs` (`startsAt ≤ now < endsAt`). */
export function silenceActive(s: Pick<Silence, 'startsAt' | 'endsAt'>, nowMs: number): boolean {
  return Date.parse(s.startsAt) <= nowMs && nowMs < Date.parse(s.endsAt);
}

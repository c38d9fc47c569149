import { z } from 'zod';
import { Alert, AlertEventKind } from './alert.js';
import { Incident, SILENCE_MAX_ID, Silence, SilenceRequest } from './incident.js';
import { PulseRequest } from './health.js';
import { RotationOverride } from './rotation.js';
import { UserName } from './user.js';
import {
  ActionItemRequest,
  PostmortemDraftRequest,
  PostmortemEditRequest,
  ReviewMarkRequest,
} from '../postmortem/schema.js';

/** Moved to ./user.ts (rotation overrides use it too); re-exported for existing imports. */
export { UserName } from './user.js';

/**
 * What a command does. The first seven act on one alert or one incident (exactly one of
 * `alertId` / `incidentId`); the last five carry their own payload and no target: `override`
 * (a rotation override), `silence` (a new silence), `expire-silence` (ends one early) and
 * `remove-override` (withdraws an override made from a desktop, named by its command id);
 * `pulse` (issue 15) carries one fatigue pulse answer.
 */
export const TargetedCommandKind = z.enum(['ack', 'unack', 'mitigate', 'resolve', 'snooze', 'escalate', 'comment']);
export type TargetedCommandKind = z.infer<typeof TargetedCommandKind>;
export const PayloadCommandKind = z.enum([
  'override',
  'silence',
  'expire-silence',
  'remove-override',
  // Issue 15: the fatigue pulse (shared/health/); postmortems, their action items and weekly-review
  // marks (shared/postmortem/).
  'pulse',
  'postmortem-draft',
  'postmortem-edit',
  'action-item',
  'review-mark',
]);
export type PayloadCommandKind = z.infer<typeof PayloadCommandKind>;
export const CommandKind = z.enum([...TargetedCommandKind.options, ...PayloadCommandKind.options]);
export type CommandKind = z.infer<typeof CommandKind>;

export function isTargetedKind(kind: CommandKind): kind is TargetedCommandKind {
  return (TargetedCommandKind.options as readonly string[]).includes(kind);
}

const TargetId = z.string().min(1).max(200);

const IsoTime = z.iso.datetime({ offset: true });

/**
 * Largest server → client frame a client accepts (its WebSocket maxPayload). The collector pages
 * snapshots so that no frame comes near it.
 */
export const MAX_SERVER_FRAME_BYTES = 64 * 1024 * 1024;

/**
 * Frames (commands, pongs, transport pings, …) one connection may send: a token bucket refilled
 * at CLIENT_FRAMES_PER_SECOND and holding at most CLIENT_FRAME_BURST. Past it the collector
 * answers `error {code: "rate_limited"}` and closes the connection; clients pace themselves below it.
 */
export const CLIENT_FRAMES_PER_SECOND = 50;
export const CLIENT_FRAME_BURST = 200;

// ---- client → server ----
export const HelloFrame = z.object({
  type: z.literal('hello'),
  user: UserName,
  lastSeq: z.number().int().nonnegative(),
  protocol: z.number().int().positive(),
});
/**
 * A command names its target explicitly: exactly one of `alertId` / `incidentId` for the
 * targeted kinds; neither for `override` (carries `override`), `silence` (carries `silence`;
 * its id becomes the silence's id), `expire-silence` (carries `silenceId`) and `remove-override`
 * (carries `overrideId`).
 */
export const CommandFrame = z
  .object({
    type: z.literal('command'),
    /** Client-generated; the collector applies a given id once. */
    id: z.string().min(1).max(100),
    kind: CommandKind,
    alertId: TargetId.optional(),
    incidentId: TargetId.optional(),
    note: z.string().max(5000).optional(),
    until: IsoTime.optional(),
    /** For kind `override` only. */
    override: RotationOverride.optional(),
    /** For kind `silence` only. */
    silence: SilenceRequest.optional(),
    /** For kind `expire-silence` only. */
    silenceId: z.string().min(1).max(SILENCE_MAX_ID).optional(),
    /** For kind `remove-override` only: the command id of the override to withdraw. */
    overrideId: z.string().min(1).max(100).optional(),
    /** For kind `pulse` only (issue 15): one fatigue pulse answer at the end of a shift. */
    pulse: PulseRequest.optional(),
    /** For kind `postmortem-draft` only (issue 15): the postmortem's id derives from the incident's (idempotent). */
    postmortemDraft: PostmortemDraftRequest.optional(),
    /** For kind `postmortem-edit` only. */
    postmortemEdit: PostmortemEditRequest.optional(),
    /** For kind `action-item` only (op `add`: the item's id is the command's id). */
    actionItem: ActionItemRequest.optional(),
    /** For kind `review-mark` only. */
    reviewMark: ReviewMarkRequest.optional(),
  })
  .superRefine((c, ctx) => {
    const targets = (c.alertId !== undefined ? 1 : 0) + (c.incidentId !== undefined ? 1 : 0);
    if (isTargetedKind(c.kind)) {
      if (targets !== 1) {
        ctx.addIssue({
          code: 'custom',
          path: ['alertId'],
          message: `${c.kind} needs exactly one of alertId or incidentId`,
        });
      }
      return;
    }
    if (targets !== 0) {
      ctx.addIssue({ code: 'custom', path: ['alertId'], message: `${c.kind} takes no alertId or incidentId` });
    }
    const payload = {
      override: 'override',
      silence: 'silence',
      'expire-silence': 'silenceId',
      'remove-override': 'overrideId',
      pulse: 'pulse',
      'postmortem-draft': 'postmortemDraft',
      'postmortem-edit': 'postmortemEdit',
      'action-item': 'actionItem',
      'review-mark': 'reviewMark',
    } as const;
    const field = payload[c.kind];
    if (c[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `${c.kind} needs ${field}` });
    for (const other of Object.values(payload)) {
      if (other !== field && c[other] !== undefined) {
        ctx.addIssue({ code: 'custom', path: [other], message: `${c.kind} takes no ${other}` });
      }
    }
  });
export const PongFrame = z.object({ type: z.literal('pong'), t: z.number() });
export const ClientFrame = z.discriminatedUnion('type', [HelloFrame, CommandFrame, PongFrame]);
export type HelloFrame = z.infer<typeof HelloFrame>;
export type CommandFrame = z.infer<typeof CommandFrame>;
export type ClientFrame = z.infer<typeof ClientFrame>;

// ---- server → client ----
export const WelcomeFrame = z.object({
  type: z.literal('welcome'),
  protocol: z.number().int().positive(),
  serverTime: z.number(),
  lastSeq: z.number().int().nonnegative(),
});
/**
 * The whole alert set at `lastSeq`, in pages numbered from 0 (bounded by count and bytes, so no
 * frame nears MAX_SERVER_FRAME_BYTES). A client applies it only once the page with `last: true`
 * arrived; a connection lost before that leaves its replica as it was. Log events after
 * `lastSeq` follow the last page.
 */
export const SnapshotFrame = z.object({
  type: z.literal('snapshot'),
  lastSeq: z.number().int().nonnegative(),
  page: z.number().int().nonnegative(),
  last: z.boolean(),
  alerts: z.array(Alert),
  /** The incidents holding this page's alerts' (every incident arrives in some page). */
  incidents: z.array(Incident),
});
export const EventFrame = z.object({
  type: z.literal('event'),
  seq: z.number().int().positive(),
  at: IsoTime,
  alertId: z.string(),
  kind: AlertEventKind,
  actor: z.string().optional(),
  note: z.string().optional(),
  /** The alert's state after the event. */
  alert: Alert,
});
/**
 * An incident changed (opened, a member joined, rang, escalated, acknowledged, resolved, …). It
 * shares the log's seq with alert events, so replay after `lastSeq` brings incidents too.
 */
export const IncidentFrame = z.object({
  type: z.literal('incident'),
  seq: z.number().int().positive(),
  at: IsoTime,
  incidentId: z.string(),
  kind: AlertEventKind,
  actor: z.string().optional(),
  note: z.string().optional(),
  /** The incident's state after the event. */
  incident: Incident,
});
/**
 * Every silence the collector holds (active, pending and recently ended; bounded), sent after
 * the snapshot and whenever one is added or expires: the desktop replaces its copy.
 */
export const SilencesFrame = z.object({ type: z.literal('silences'), silences: z.array(Silence) });
export const ResultFrame = z.object({
  type: z.literal('result'),
  id: z.string(),
  ok: z.boolean(),
  conflict: z.string().optional(),
  error: z.string().optional(),
});
export const PingFrame = z.object({ type: z.literal('ping'), t: z.number() });
/** The rotation changed (an override was applied): fetch GET /v1/rotation now, not at the next poll. */
export const RotationFrame = z.object({ type: z.literal('rotation'), changedAt: IsoTime });
/** Issue 15: a postmortem or a review mark changed: pull GET /v1/postmortems and /v1/review/marks now. */
export const PostmortemsFrame = z.object({ type: z.literal('postmortems'), changedAt: IsoTime });
export const ErrorFrame = z.object({ type: z.literal('error'), code: z.string(), message: z.string() });
export const ServerFrame = z.discriminatedUnion('type', [
  WelcomeFrame,
  SnapshotFrame,
  EventFrame,
  IncidentFrame,
  SilencesFrame,
  ResultFrame,
  PingFrame,
  RotationFrame,
  PostmortemsFrame,
  ErrorFrame,
]);
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type SnapshotFrame = z.infer<typeof SnapshotFrame>;
export type EventFrame = z.infer<typeof EventFrame>;
export type IncidentFrame = z.infer<typeof IncidentFrame>;
export type SilencesFrame = z.infer<typeof SilencesFrame>;
export type ResultFrame = z.infer<typeof ResultFrame>;
export type RotationFrame = z.infer<typeof RotationFrame>;
export type PostmortemsFrame = z.infer<typeof PostmortemsFrame>;
export type ServerFrame = z.infer<typeof ServerFrame>;

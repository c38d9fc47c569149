import { z } from 'zod';
import { Alert, AlertEventKind } from './alert.js';
import { RotationOverride } from './rotation.js';
import { UserName } from './user.js';

/** Moved to ./user.ts (rotation overrides use it too); re-exported for existing imports. */
export { UserName } from './user.js';

/** `override` is a rotation override: its alertId is ROTATION_TARGET and it carries `override`. */
export const CommandKind = z.enum(['ack', 'unack', 'mitigate', 'resolve', 'snooze', 'escalate', 'comment', 'override']);
export type CommandKind = z.infer<typeof CommandKind>;

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
export const CommandFrame = z.object({
  type: z.literal('command'),
  /** Client-generated; the collector applies a given id once. */
  id: z.string().min(1).max(100),
  kind: CommandKind,
  alertId: z.string().min(1).max(200),
  note: z.string().max(5000).optional(),
  until: IsoTime.optional(),
  /** For kind `override` only. */
  override: RotationOverride.optional(),
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
export const ErrorFrame = z.object({ type: z.literal('error'), code: z.string(), message: z.string() });
export const ServerFrame = z.discriminatedUnion('type', [
  WelcomeFrame,
  SnapshotFrame,
  EventFrame,
  ResultFrame,
  PingFrame,
  RotationFrame,
  ErrorFrame,
]);
export type WelcomeFrame = z.infer<typeof WelcomeFrame>;
export type SnapshotFrame = z.infer<typeof SnapshotFrame>;
export type EventFrame = z.infer<typeof EventFrame>;
export type ResultFrame = z.infer<typeof ResultFrame>;
export type RotationFrame = z.infer<typeof RotationFrame>;
export type ServerFrame = z.infer<typeof ServerFrame>;

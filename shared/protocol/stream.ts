import { z } from 'zod';
import { Alert, AlertEventKind } from './alert.js';
import { RotationOverride } from './rotation.js';

/** `override` is a rotation override: its alertId is ROTATION_TARGET and it carries `override`. */
export const CommandKind = z.enum(['ack', 'unack', 'mitigate', 'resolve', 'snooze', 'escalate', 'comment', 'override']);
export type CommandKind = z.infer<typeof CommandKind>;

const IsoTime = z.iso.datetime({ offset: true });

// ---- client → server ----
export const HelloFrame = z.object({
  type: z.literal('hello'),
  user: z.string().min(1).max(200),
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
export const SnapshotFrame = z.object({
  type: z.literal('snapshot'),
  lastSeq: z.number().int().nonnegative(),
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

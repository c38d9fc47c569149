import { z } from 'zod';
import { AlarmState } from './alarm.js';
import { Alert, AlertEventKind, AlertStatus } from './alert.js';
import { CachedSeries, SeriesCatalog, SeriesQueryParams } from './series.js';
import { CachedRotation, RotationOverride } from './rotation.js';
import { CommandKind } from './stream.js';
import { RunbookId } from '../runbooks/schema.js';
import type { RunbookDoc, RunbookHit, RunbookSummary } from '../runbooks/schema.js';

/**
 * The Api the renderer may call. In Electron it crosses IPC through the preload; in the
 * headless host it crosses a local WebSocket. Both carry the same `ApiCall` / `ApiReply` /
 * `ApiPush` messages, validated on the main side.
 */

const IsoTime = z.iso.datetime({ offset: true });

export const TimelineEntry = z.object({
  seq: z.number().int().positive(),
  at: IsoTime,
  kind: AlertEventKind,
  actor: z.string().optional(),
  note: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const AlertDetail = z.object({ alert: Alert, timeline: z.array(TimelineEntry) });
export type AlertDetail = z.infer<typeof AlertDetail>;

export const OutboxState = z.enum(['queued', 'sent', 'applied', 'conflict', 'failed']);
export type OutboxState = z.infer<typeof OutboxState>;

export const OutboxItem = z.object({
  id: z.string(),
  kind: CommandKind,
  alertId: z.string(),
  createdAt: IsoTime,
  state: OutboxState,
  detail: z.string().optional(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

export const ConnectionState = z.enum(['connected', 'connecting', 'offline']);
export type ConnectionState = z.infer<typeof ConnectionState>;

export const SyncStatus = z.object({
  state: ConnectionState,
  user: z.string(),
  collectorUrl: z.string(),
  lastSeq: z.number().int().nonnegative(),
  /** When the current state began (connected since / offline since). */
  since: IsoTime,
  /** When the next reconnect attempt happens, while not connected. */
  nextRetryAt: IsoTime.optional(),
  /** Collector clock minus local clock, so countdowns agree with the collector. */
  serverOffsetMs: z.number(),
  /** Last time the cache received anything from the collector. */
  lastSyncAt: IsoTime.optional(),
  pendingCommands: z.number().int().nonnegative(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

export const CommandRequest = z.object({
  kind: CommandKind,
  alertId: z.string().min(1).max(200),
  note: z.string().max(5000).optional(),
  until: IsoTime.optional(),
});
export type CommandRequest = z.infer<typeof CommandRequest>;

/** The path a person walked through a runbook, recorded on the alert's timeline as a comment. */
export const RecordStepRequest = z.object({
  alertId: z.string().min(1).max(200),
  runbookId: RunbookId,
  /** Step ids in the order visited, starting at the first step. */
  path: z
    .array(z.string().regex(/^\d{1,4}$/, 'step ids are step numbers'))
    .min(1)
    .max(200),
  /** How the walk ended, when it reached a terminal branch. */
  outcome: z.enum(['stop', 'escalate']).optional(),
});
export type RecordStepRequest = z.infer<typeof RecordStepRequest>;

export const ApiCall = z.discriminatedUnion('method', [
  z.object({ method: z.literal('alerts.list'), params: z.object({ status: AlertStatus.optional() }).strict() }),
  z.object({ method: z.literal('alerts.get'), params: z.object({ id: z.string().min(1).max(200) }).strict() }),
  z.object({ method: z.literal('alerts.command'), params: CommandRequest.strict() }),
  z.object({ method: z.literal('outbox.list'), params: z.object({}).strict() }),
  z.object({ method: z.literal('status.get'), params: z.object({}).strict() }),
  z.object({ method: z.literal('alarm.get'), params: z.object({}).strict() }),
  z.object({ method: z.literal('series.query'), params: SeriesQueryParams }),
  z.object({ method: z.literal('series.catalog'), params: z.object({}).strict() }),
  z.object({ method: z.literal('runbooks.list'), params: z.object({}).strict() }),
  z.object({ method: z.literal('runbooks.get'), params: z.object({ id: RunbookId }).strict() }),
  z.object({
    method: z.literal('runbooks.search'),
    params: z.object({ query: z.string().max(500), limit: z.number().int().min(1).max(100).optional() }).strict(),
  }),
  z.object({
    method: z.literal('runbooks.forAlert'),
    params: z.object({ alertId: z.string().min(1).max(200) }).strict(),
  }),
  z.object({ method: z.literal('runbooks.recordStep'), params: RecordStepRequest.strict() }),
  /** The rotation as last fetched from the collector (null before the first fetch); works offline. */
  z.object({ method: z.literal('rotation.get'), params: z.object({}).strict() }),
  /** Queues a rotation override in the outbox; the collector applies it once, on (re)connect. */
  z.object({ method: z.literal('rotation.override'), params: RotationOverride }),
]);
export type ApiCall = z.infer<typeof ApiCall>;
export type ApiMethod = ApiCall['method'];
export type ApiParams<M extends ApiMethod> = Extract<ApiCall, { method: M }>['params'];

export interface ApiResults {
  'alerts.list': Alert[];
  'alerts.get': AlertDetail | null;
  'alerts.command': { commandId: string };
  'outbox.list': OutboxItem[];
  'status.get': SyncStatus;
  'alarm.get': AlarmState;
  'series.query': CachedSeries;
  'series.catalog': SeriesCatalog;
  'runbooks.list': RunbookSummary[];
  'runbooks.get': RunbookDoc | null;
  'runbooks.search': RunbookHit[];
  'runbooks.forAlert': RunbookDoc | null;
  'runbooks.recordStep': { commandId: string; note: string };
  'rotation.get': CachedRotation | null;
  'rotation.override': { commandId: string };
}

export const ApiPush = z.discriminatedUnion('type', [
  z.object({ type: z.literal('alerts-changed'), alertIds: z.array(z.string()) }),
  z.object({ type: z.literal('status-changed'), status: SyncStatus }),
  z.object({ type: z.literal('outbox-changed'), item: OutboxItem }),
  /** Which pages ring for this user (and which are only watched) changed. */
  z.object({ type: z.literal('alarm-changed'), alarm: AlarmState }),
  /** The chart cache took in new rollups; open charts re-query. */
  z.object({ type: z.literal('series-changed'), syncedAt: IsoTime }),
  /** Runbooks in the cache changed (synced from the collector); open views reload. */
  z.object({ type: z.literal('runbooks-changed'), ids: z.array(z.string()) }),
  /** The cached rotation was refreshed from the collector; the calendar re-reads it. */
  z.object({ type: z.literal('rotation-changed'), syncedAt: IsoTime }),
]);
export type ApiPush = z.infer<typeof ApiPush>;

export const ApiFailure = z.object({ code: z.string(), message: z.string() });
export type ApiFailure = z.infer<typeof ApiFailure>;

/** What the renderer sees: one typed object, whatever the transport. */
export interface VigilApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]>;
  /** Returns an unsubscribe function. */
  onPush(listener: (push: ApiPush) => void): () => void;
}

// ---- headless host bridge: the same calls over a local WebSocket ----
export const BridgeRequest = z.object({ type: z.literal('call'), id: z.number().int().nonnegative(), call: ApiCall });
export type BridgeRequest = z.infer<typeof BridgeRequest>;

export const BridgeMessage = z.union([
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('reply'), id: z.number().int(), ok: z.literal(false), error: ApiFailure }),
  z.object({ type: z.literal('push'), push: ApiPush }),
]);
export type BridgeMessage = z.infer<typeof BridgeMessage>;

/** IPC channel names used by the preload and main. */
export const IPC_CALL = 'vigil:call';
export const IPC_PUSH = 'vigil:push';

/** Envelope for one Api call's answer over IPC (Electron would mangle thrown errors). */
export type ApiReply<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiFailure };

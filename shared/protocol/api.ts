import { z } from 'zod';
import { AlarmState } from './alarm.js';
import { Alert, AlertEventKind, AlertStatus } from './alert.js';
import { CachedSeries, SeriesCatalog, SeriesQueryParams } from './series.js';
import { CachedRotation, MAX_ICS_WEEKS, RotationOverride } from './rotation.js';
import { UserName } from './user.js';
import { CommandKind, TargetedCommandKind } from './stream.js';
import { Incident, IncidentStatus, Silence, SilenceRequest } from './incident.js';
import { asErrorCode } from './errors.js';
import { CachedHealth, PulsePrompt, PulseRequest } from './health.js';
import { RunbookDoc, RunbookHit, RunbookId, RunbookSummary } from '../runbooks/schema.js';
import { POSTMORTEM_API_METHODS } from './postmortem-api.js';
import { DemoScenarioSwitch, DemoState, SettingsPatch, SettingsView, TestNotificationResult } from './settings.js';

/**
 * The Api the renderer may call. In Electron it crosses IPC through the preload; in the
 * headless host it crosses a local WebSocket. Both carry the same `ApiCall` / `ApiReply` /
 * `ApiPush` messages: calls are validated on the main side, replies and pushes on the page side,
 * all from the one method table below (`API_METHODS`).
 */

const IsoTime = z.iso.datetime({ offset: true });

export const TimelineEntry = z.object({
  seq: z.number().int().positive(),
  /** In an incident's merged timeline: the member alert the entry is about (absent: the incident itself). */
  alertId: z.string().optional(),
  at: IsoTime,
  kind: AlertEventKind,
  actor: z.string().optional(),
  note: z.string().optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const AlertDetail = z.object({ alert: Alert, timeline: z.array(TimelineEntry) });
export type AlertDetail = z.infer<typeof AlertDetail>;

/** An incident with its member alerts and one timeline merging the incident's and its members' events. */
export const IncidentDetail = z.object({
  incident: Incident,
  alerts: z.array(Alert),
  timeline: z.array(TimelineEntry),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const OutboxState = z.enum(['queued', 'sent', 'applied', 'conflict', 'failed']);
export type OutboxState = z.infer<typeof OutboxState>;

export const OutboxItem = z.object({
  id: z.string(),
  kind: CommandKind,
  /** The command's target: at most one is set (none for overrides and silences). */
  alertId: z.string().optional(),
  incidentId: z.string().optional(),
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
  /**
   * The collector refused this desktop (`forbidden`: the token is not this user's;
   * `protocol_mismatch`): shown until a connection is welcomed, so "offline" has its reason.
   */
  refusal: z.object({ code: z.string().max(100), message: z.string().max(300) }).optional(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/**
 * A rotation command from this desktop the collector has not applied (yet): queued or sent
 * (offline: drawn pending on the calendar), or refused (a conflict or failure, with its reason).
 */
export const RotationChange = z.object({
  id: z.string(),
  kind: z.enum(['override', 'remove-override']),
  state: OutboxState,
  detail: z.string().optional(),
  createdAt: IsoTime,
  override: RotationOverride.optional(),
  overrideId: z.string().optional(),
});
export type RotationChange = z.infer<typeof RotationChange>;

/** The rotation as an RFC 5545 calendar, built from the cache (works offline). */
export const RotationIcs = z.object({ ics: z.string(), filename: z.string() });
export type RotationIcs = z.infer<typeof RotationIcs>;

/** A command on one alert (`alerts.command`) … */
export const CommandRequest = z.object({
  kind: TargetedCommandKind,
  alertId: z.string().min(1).max(200),
  note: z.string().max(5000).optional(),
  until: IsoTime.optional(),
});
export type CommandRequest = z.infer<typeof CommandRequest>;

/** … or on one incident and so on all its members (`incidents.command`). */
export const IncidentCommandRequest = z.object({
  kind: TargetedCommandKind,
  incidentId: z.string().min(1).max(200),
  note: z.string().max(5000).optional(),
  until: IsoTime.optional(),
});
export type IncidentCommandRequest = z.infer<typeof IncidentCommandRequest>;

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

/** One Api method: the params the renderer sends and the result main answers. */
export interface ApiMethodSpec<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
}

const NoParams = z.object({}).strict();
const CommandAccepted = z.object({ commandId: z.string() });

/**
 * THE Api method table: every method the renderer may call, declared once with its params and
 * its result. Everything else derives from it: the `ApiCall` union main validates, the
 * `VigilApi.call` signature the renderer uses, the result check the renderer applies to each
 * reply, and the `ApiHandlers` map main must implement (shared/api/handlers.ts). Adding a
 * method here without a handler in electron/main/services/api.ts is a compile error.
 */
export const API_METHODS = {
  'alerts.list': { params: z.object({ status: AlertStatus.optional() }).strict(), result: z.array(Alert) },
  'alerts.get': { params: z.object({ id: z.string().min(1).max(200) }).strict(), result: AlertDetail.nullable() },
  'alerts.command': { params: CommandRequest.strict(), result: CommandAccepted },
  /** Incidents in the cache, newest first (the inbox). */
  'incidents.list': {
    params: z.object({ status: IncidentStatus.optional() }).strict(),
    result: z.array(Incident),
  },
  'incidents.get': { params: z.object({ id: z.string().min(1).max(200) }).strict(), result: IncidentDetail.nullable() },
  'incidents.command': { params: IncidentCommandRequest.strict(), result: CommandAccepted },
  /** Silences as last synced, plus the ones still in the outbox (offline). */
  'silences.list': { params: NoParams, result: z.array(Silence) },
  /** Queues a new silence in the outbox; the collector applies it once, on (re)connect. */
  'silences.create': { params: SilenceRequest, result: CommandAccepted },
  'silences.expire': { params: z.object({ id: z.string().min(1).max(200) }).strict(), result: CommandAccepted },
  'outbox.list': { params: NoParams, result: z.array(OutboxItem) },
  'status.get': { params: NoParams, result: SyncStatus },
  'alarm.get': { params: NoParams, result: AlarmState },
  'series.query': { params: SeriesQueryParams, result: CachedSeries },
  'series.catalog': { params: NoParams, result: SeriesCatalog },
  'runbooks.list': { params: NoParams, result: z.array(RunbookSummary) },
  'runbooks.get': { params: z.object({ id: RunbookId }).strict(), result: RunbookDoc.nullable() },
  'runbooks.search': {
    params: z.object({ query: z.string().max(500), limit: z.number().int().min(1).max(100).optional() }).strict(),
    result: z.array(RunbookHit),
  },
  'runbooks.forAlert': {
    params: z.object({ alertId: z.string().min(1).max(200) }).strict(),
    result: RunbookDoc.nullable(),
  },
  'runbooks.recordStep': {
    params: RecordStepRequest.strict(),
    result: z.object({ commandId: z.string(), note: z.string() }),
  },
  /** The rotation as last fetched from the collector (null before the first fetch); works offline. */
  'rotation.get': { params: NoParams, result: CachedRotation.nullable() },
  /** Queues a rotation override in the outbox; the collector applies it once, on (re)connect. */
  'rotation.override': { params: RotationOverride, result: CommandAccepted },
  /** Queues the removal of an override made from a desktop (its command id). */
  'rotation.removeOverride': { params: z.object({ id: z.string().min(1).max(100) }).strict(), result: CommandAccepted },
  /** This desktop's rotation commands not applied yet (pending offline, or refused with the reason). */
  'rotation.changes': { params: NoParams, result: z.array(RotationChange) },
  /** The cached rotation as an iCal file: `weeks` from the current shift (default 26), one person's or all. */
  'rotation.ics': {
    params: z
      .object({ user: UserName.optional(), weeks: z.number().int().min(1).max(MAX_ICS_WEEKS).optional() })
      .strict(),
    result: RotationIcs,
  },
  /** Issue 15: the collector's last health answer as cached (null before the first fetch); works offline. */
  'health.get': { params: NoParams, result: CachedHealth.nullable() },
  /** The fatigue pulse to ask now: this user's latest ended shift not yet answered or skipped here. */
  'health.pulsePrompt': { params: NoParams, result: PulsePrompt.nullable() },
  /** Queues a pulse answer in the outbox (stored on the collector on (re)connect). */
  'health.pulse': { params: PulseRequest, result: CommandAccepted },
  /** The pulse for this shift was skipped: not asked again. */
  'health.skipPulse': {
    params: z.object({ shiftEnd: IsoTime }).strict(),
    result: z.object({ skipped: z.literal(true) }),
  },
  // Issue 15: postmortems, action items, weekly review (declared in ./postmortem-api.ts).
  ...POSTMORTEM_API_METHODS,
  /** Issue 16: the settings (who I am, collector, ring, sound, launch at login) and what is in effect. */
  'settings.get': { params: NoParams, result: SettingsView },
  /** Validates, stores (settings.json 0600) and applies a change without a restart (the services rebind). */
  'settings.update': { params: SettingsPatch, result: SettingsView },
  /** Sends one desktop notification now, to check the OS shows it. */
  'settings.testNotification': { params: NoParams, result: TestNotificationResult },
  /** The Demo menu: the bundled simulator's scenarios and which are on. */
  'demo.get': { params: NoParams, result: DemoState },
  /** Switches one simulator scenario on or off, live. */
  'demo.setScenario': { params: DemoScenarioSwitch, result: DemoState },
} satisfies Record<string, ApiMethodSpec>;

export type ApiMethods = typeof API_METHODS;
export type ApiMethod = keyof ApiMethods;
/** What a caller passes (the schema's input). */
export type ApiParams<M extends ApiMethod> = z.input<ApiMethods[M]['params']>;
/** What a handler receives once main has validated the params (the schema's output). */
export type ApiHandlerParams<M extends ApiMethod> = z.output<ApiMethods[M]['params']>;
/** What a caller gets back, validated. */
export type ApiResult<M extends ApiMethod> = z.output<ApiMethods[M]['result']>;
/** What a handler returns (the result schema's input, i.e. what goes on the wire). */
export type ApiHandlerResult<M extends ApiMethod> = z.input<ApiMethods[M]['result']>;
export type ApiResults = { [M in ApiMethod]: ApiResult<M> };

export const API_METHOD_NAMES = Object.keys(API_METHODS) as ApiMethod[];

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && Object.hasOwn(API_METHODS, name);
}

function callSchema<M extends ApiMethod>(method: M) {
  return z.object({ method: z.literal(method), params: API_METHODS[method].params as ApiMethods[M]['params'] });
}
type CallSchema = { [M in ApiMethod]: ReturnType<typeof callSchema<M>> }[ApiMethod];

/** One call as it crosses IPC or the bridge: derived from the table, one option per method. */
export const ApiCall = z.discriminatedUnion(
  'method',
  // Object.keys loses the per-key pairing; CallSchema restores it (one option per method).
  API_METHOD_NAMES.map((m) => callSchema(m)) as unknown as [CallSchema, ...CallSchema[]],
);
export type ApiCall = z.infer<typeof ApiCall>;

export const ApiPush = z.discriminatedUnion('type', [
  z.object({ type: z.literal('alerts-changed'), alertIds: z.array(z.string()) }),
  /** Incidents in the cache changed; the inbox re-reads them. */
  z.object({ type: z.literal('incidents-changed'), incidentIds: z.array(z.string()) }),
  z.object({ type: z.literal('silences-changed'), count: z.number().int().nonnegative() }),
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
  /** The cached health answer was refreshed from the collector; the Health view re-reads it. */
  z.object({ type: z.literal('health-changed'), syncedAt: IsoTime }),
  /** Postmortems or review marks changed (synced, or queued here): open views re-read them. */
  z.object({ type: z.literal('postmortems-changed'), at: IsoTime }),
  /** Settings changed (here or in another window); the services may have rebound: re-read everything. */
  z.object({ type: z.literal('settings-changed'), settings: SettingsView }),
]);
export type ApiPush = z.infer<typeof ApiPush>;

/**
 * A failed call: a stable `ErrorCode` and a sentence for people. The code is read as any string
 * (the page and the host may be different builds) and narrowed to `ErrorCode` on receipt: a
 * code this build does not know becomes `protocol_mismatch`, so every switch over codes is total.
 */
export const ApiFailure = z.object({ code: z.string().transform(asErrorCode), message: z.string() });
export type ApiFailure = z.output<typeof ApiFailure>;

/** What the renderer sees: one typed object, whatever the transport. */
export interface VigilApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Returns an unsubscribe function. */
  onPush(listener: (push: ApiPush) => void): () => void;
}

/**
 * What the Electron preload exposes as `window.vigil`. It hands back the reply envelope instead
 * of throwing, because an Error crossing contextBridge keeps only its message (the code would be
 * lost); the renderer's IPC client turns the envelope into a result or a coded `ApiCallError`.
 */
export interface VigilPreload {
  /** Resolves with the reply envelope; never rejects. */
  invoke<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiReply>;
  /** Raw pushes from main; the renderer validates them. Returns an unsubscribe function. */
  onPush(listener: (push: unknown) => void): () => void;
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

/** IPC channel names used by the preload and main (in a module the preload can bundle alone). */
export { IPC_CALL, IPC_PUSH } from '../api/channels.js';

/** Envelope for one Api call's answer over IPC (Electron would mangle thrown errors). */
export type ApiReply<T = unknown> = { ok: true; result: T } | { ok: false; error: ApiFailure };

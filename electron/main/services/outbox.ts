import { randomUUID } from 'node:crypto';
import { systemClock, toIso, type Clock } from '../../../shared/clock.js';
import type { CommandRequest, IncidentCommandRequest, OutboxItem } from '../../../shared/protocol/api.js';
import type { SilenceRequest } from '../../../shared/protocol/incident.js';
import type { RotationOverride } from '../../../shared/protocol/rotation.js';
import type { PulseRequest } from '../../../shared/protocol/health.js';
import { CommandFrame, isTargetedKind, type ResultFrame } from '../../../shared/protocol/stream.js';
import type { Cache, OutboxCommand, OutboxPayload } from './cache/index.js';
import type {
  ActionItemRequest,
  PostmortemDraftRequest,
  PostmortemEditRequest,
  ReviewMarkRequest,
} from '../../../shared/postmortem/schema.js';

/** One of issue 15's commands, with its payload. */
export type PostmortemCommandInput =
  | { kind: 'postmortem-draft'; postmortemDraft: PostmortemDraftRequest }
  | { kind: 'postmortem-edit'; postmortemEdit: PostmortemEditRequest }
  | { kind: 'action-item'; actionItem: ActionItemRequest }
  | { kind: 'review-mark'; reviewMark: ReviewMarkRequest };
import { Listeners, silentLogger, type Logger } from './runtime.js';

/** What the outbox needs from the stream: a way to send and to hear about readiness and results. */
export interface CommandChannel {
  isReady(): boolean;
  send(frame: CommandFrame): boolean;
  onReady(listener: () => void): () => void;
  onResult(listener: (frame: ResultFrame) => void): () => void;
}

export interface OutboxOptions {
  cache: Cache;
  channel: CommandChannel;
  clock?: Clock;
  /** Client-generated command ids; the collector applies an id once, so re-sends are safe. */
  newId?: () => string;
  log?: Logger;
}

/**
 * Commands are written to the cache before anything is sent, so a crash or a dead network
 * never loses one. They go out in creation order once the stream is up; the ones not
 * answered before a disconnect go out again, with the same id, after the next welcome.
 */
export class Outbox {
  private readonly clock: Clock;
  private readonly newId: () => string;
  private readonly log: Logger;
  private readonly changed = new Listeners<OutboxItem>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(private readonly opts: OutboxOptions) {
    this.clock = opts.clock ?? systemClock;
    this.newId = opts.newId ?? randomUUID;
    this.log = opts.log ?? silentLogger;
  }

  start(): void {
    if (this.unsubscribe.length > 0) return;
    this.unsubscribe.push(
      this.opts.channel.onReady(() => this.flush(true)),
      this.opts.channel.onResult((frame) => this.onResult(frame)),
    );
    if (this.opts.channel.isReady()) this.flush(true);
  }

  dispose(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.changed.clear();
  }

  onChanged(listener: (item: OutboxItem) => void): () => void {
    return this.changed.on(listener);
  }

  /**
   * A command on one alert: stored, then sent right away when connected. (Paging state, ack,
   * snooze, …, belongs to the alert's incident: the collector applies those to the whole incident.)
   */
  enqueue(req: CommandRequest): OutboxItem {
    return this.store({ kind: req.kind, alertId: req.alertId, note: req.note, until: req.until });
  }

  /** A command on one incident and so on all its open members. */
  enqueueIncident(req: IncidentCommandRequest): OutboxItem {
    return this.store({ kind: req.kind, incidentId: req.incidentId, note: req.note, until: req.until });
  }

  /** A rotation override, queued like any command (made offline, applied once on reconnect). */
  enqueueOverride(override: RotationOverride): OutboxItem {
    return this.store({ kind: 'override', override });
  }

  /** Withdraws an override made from a desktop (named by its command id). */
  enqueueRemoveOverride(overrideId: string): OutboxItem {
    return this.store({ kind: 'remove-override', overrideId });
  }

  /** A new silence; the command's id becomes the silence's id, so a re-send makes one silence. */
  enqueueSilence(silence: SilenceRequest): OutboxItem {
    return this.store({ kind: 'silence', silence });
  }

  /** A fatigue pulse answer (issue 15): answered offline, stored on the collector on reconnect. */
  enqueuePulse(pulse: PulseRequest): OutboxItem {
    return this.store({ kind: 'pulse', pulse });
  }

  /** Ends a silence now (the collector sets its endsAt to the moment it applies this). */
  enqueueExpireSilence(silenceId: string): OutboxItem {
    return this.store({ kind: 'expire-silence', silenceId });
  }

  /** Issue 15: a postmortem, action item or review command (see shared/postmortem/). */
  enqueuePostmortem(cmd: PostmortemCommandInput): OutboxItem {
    return this.store(cmd);
  }

  private store(
    cmd: Pick<OutboxCommand, 'kind' | 'alertId' | 'incidentId' | 'note' | 'until'> & OutboxPayload,
  ): OutboxItem {
    const item = this.opts.cache.enqueue({ ...cmd, id: this.newId(), createdAt: toIso(this.clock.now()) });
    this.changed.emit(item, this.log);
    this.flush(false);
    return item;
  }

  pendingCount(): number {
    return this.opts.cache.pendingCount();
  }

  /**
   * Sends unanswered commands in order. After a (re)connect `resend` also repeats the ones
   * already sent: their result may have been lost with the old socket.
   */
  private flush(resend: boolean): void {
    if (!this.opts.channel.isReady()) return;
    for (const cmd of this.opts.cache.unanswered()) {
      if (cmd.state === 'sent' && !resend) continue;
      // A row the file no longer holds whole (edited by hand, a payload that does not parse)
      // would only be refused by the collector: fail it here, visibly.
      const frame = CommandFrame.safeParse(toFrame(cmd));
      if (!frame.success) {
        const failed = this.opts.cache.markOutbox(cmd.id, 'failed', 'the stored command is unreadable');
        if (failed) this.changed.emit(failed, this.log);
        continue;
      }
      if (!this.opts.channel.send(frame.data)) return; // socket went away: the next welcome retries
      const item = this.opts.cache.markOutbox(cmd.id, 'sent');
      if (item) this.changed.emit(item, this.log);
    }
  }

  private onResult(frame: ResultFrame): void {
    const known = this.opts.cache.unanswered().some((c) => c.id === frame.id);
    if (!known) return; // a duplicate answer, or a command from another client
    const item = frame.ok
      ? this.opts.cache.markOutbox(frame.id, 'applied')
      : frame.conflict !== undefined
        ? this.opts.cache.markOutbox(frame.id, 'conflict', frame.conflict)
        : this.opts.cache.markOutbox(frame.id, 'failed', frame.error ?? 'rejected by the collector');
    if (item) this.changed.emit(item, this.log);
  }
}

/**
 * The frame for a stored command: a targeted kind names exactly its target, a payload kind
 * carries only its own payload (the CommandFrame schema refuses anything else).
 */
export function toFrame(cmd: OutboxCommand): CommandFrame {
  const base = {
    type: 'command' as const,
    id: cmd.id,
    kind: cmd.kind,
    ...(cmd.note !== undefined ? { note: cmd.note } : {}),
    ...(cmd.until !== undefined ? { until: cmd.until } : {}),
  };
  if (isTargetedKind(cmd.kind)) {
    return {
      ...base,
      ...(cmd.alertId !== undefined ? { alertId: cmd.alertId } : { incidentId: cmd.incidentId }),
    };
  }
  switch (cmd.kind) {
    case 'override':
      return { ...base, override: cmd.override };
    case 'silence':
      return { ...base, silence: cmd.silence };
    case 'expire-silence':
      return { ...base, silenceId: cmd.silenceId };
    case 'remove-override':
      return { ...base, overrideId: cmd.overrideId };
    case 'pulse':
      return { ...base, pulse: cmd.pulse };
    case 'postmortem-draft':
      return { ...base, postmortemDraft: cmd.postmortemDraft };
    case 'postmortem-edit':
      return { ...base, postmortemEdit: cmd.postmortemEdit };
    case 'action-item':
      return { ...base, actionItem: cmd.actionItem };
    case 'review-mark':
      return { ...base, reviewMark: cmd.reviewMark };
  }
}

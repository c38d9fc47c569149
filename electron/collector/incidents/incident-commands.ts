import { toIso, type Clock } from '../../../shared/clock.js';
import type { IncidentAction } from '../../../shared/incidents/incident-state.js';
import type { IncidentRecord } from '../../../shared/incidents/schema.js';
import type { AlertEventKind } from '../../../shared/protocol/alert.js';
import type { Silence } from '../../../shared/protocol/incident.js';
import type { CommandFrame, TargetedCommandKind } from '../../../shared/protocol/stream.js';
import { snoozeUntil } from '../alerts/apply-command.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { CollectorStore, CommandResult } from '../store/store.js';
import type { EscalateStage } from './escalate-stage.js';
import type { IncidentService } from './incident-service.js';

/** Paging state belongs to the incident: on an alert, these kinds act on the alert's whole incident. */
const PAGING_KINDS: ReadonlySet<TargetedCommandKind> = new Set(['ack', 'unack', 'snooze', 'escalate']);

const KIND_EVENT: Record<TargetedCommandKind, AlertEventKind> = {
  ack: 'acknowledged',
  unack: 'unacknowledged',
  mitigate: 'mitigated',
  resolve: 'resolved',
  snooze: 'snoozed',
  escalate: 'escalated',
  comment: 'commented',
};

export interface IncidentCommandDeps {
  store: CollectorStore;
  alerts: AlertService;
  incidents: IncidentService;
  escalation: EscalateStage;
  clock: Clock;
}

/**
 * Commands from desktops (protocol 5), each applied once per id in one durable transaction:
 * - on an incident: the incident and every open member;
 * - on an alert: ack / unack / snooze / escalate act on its incident (paging state is the
 *   incident's); mitigate / resolve / comment on the alert alone (the incident resolves with
 *   its last member);
 * - `silence` / `expire-silence`: the core's silences (the silence id is the command id, so an
 *   outbox replay makes one silence; the creator is the authenticated user).
 * Rotation overrides go to the rotation before here.
 */
export class IncidentCommands {
  constructor(private readonly deps: IncidentCommandDeps) {}

  apply(cmd: CommandFrame, actor: string): CommandResult {
    const { alerts, store, clock } = this.deps;
    return alerts.transact(() => {
      const seen = store.commandResult(cmd.id);
      if (seen) return seen;
      const now = clock.now();
      const result = this.route(cmd, actor, now);
      store.recordCommand(cmd.id, now, result);
      return result;
    });
  }

  private route(cmd: CommandFrame, actor: string, now: number): CommandResult {
    switch (cmd.kind) {
      case 'override':
      case 'remove-override':
        return { ok: false, error: `${cmd.kind} is a rotation command` };
      case 'pulse':
        return { ok: false, error: 'pulse is a health command' };
      case 'postmortem-draft':
      case 'postmortem-edit':
      case 'action-item':
      case 'review-mark':
        return { ok: false, error: `${cmd.kind} is a postmortem command` };
      case 'silence':
        return this.silence(cmd, actor, now);
      case 'expire-silence': {
        if (cmd.silenceId === undefined) return { ok: false, error: 'silenceId: expire-silence needs silenceId' };
        const errors = this.deps.incidents.expireSilence(cmd.silenceId, now);
        return errors.length > 0 ? { ok: false, error: errors.join('; ') } : { ok: true };
      }
      default:
        break;
    }
    const kind = cmd.kind;
    if (cmd.incidentId !== undefined) return this.onIncident(cmd.incidentId, kind, cmd, actor, now);
    if (cmd.alertId === undefined)
      return { ok: false, error: `alertId: ${kind} needs exactly one of alertId or incidentId` };
    const alert = this.deps.alerts.getAlert(cmd.alertId);
    if (!alert) return { ok: false, error: `alert ${cmd.alertId} not found` };
    const incident = alert.incidentId !== undefined ? this.deps.incidents.incident(alert.incidentId) : undefined;
    // Even through a member that has resolved: the page is its open incident's.
    if (PAGING_KINDS.has(kind) && incident !== undefined && incident.status !== 'resolved') {
      return this.onIncident(incident.id, kind, cmd, actor, now);
    }
    return this.deps.alerts.applyToAlert(cmd, actor, now);
  }

  private silence(cmd: CommandFrame, actor: string, now: number): CommandResult {
    const req = cmd.silence;
    if (req === undefined) return { ok: false, error: 'silence: a silence command needs `silence`' };
    const s: Silence = {
      id: cmd.id,
      matchers: req.matchers,
      startsAt: req.startsAt ?? toIso(now),
      endsAt: req.endsAt,
      createdBy: actor,
      comment: req.comment,
    };
    const errors = this.deps.incidents.addSilence(s, now);
    return errors.length > 0 ? { ok: false, error: errors.join('; ') } : { ok: true };
  }

  private onIncident(
    incidentId: string,
    kind: TargetedCommandKind,
    cmd: CommandFrame,
    actor: string,
    now: number,
  ): CommandResult {
    const { incidents, store } = this.deps;
    const i = incidents.incident(incidentId);
    if (kind === 'comment') return this.comment(incidentId, i, cmd, actor, now);
    if (i === undefined) {
      // The core forgets incidents an hour after they resolve; the table remembers them.
      return store.incidents.get(incidentId) !== undefined
        ? { ok: false, conflict: 'incident is resolved' }
        : { ok: false, error: `incident ${incidentId} not found` };
    }
    if (i.status === 'resolved') return { ok: false, conflict: 'incident is resolved' };
    const refused = this.refusal(i, kind, cmd, now);
    if (refused !== undefined) return refused;
    const note = cmd.note;
    const entry = { incidentId, kind: KIND_EVENT[kind], actor, ...(note !== undefined ? { note } : {}) };
    if (kind === 'escalate' && i.status !== 'firing') {
      // Pulling in the next person makes the page ring for them, whoever held it before.
      this.members(incidentId, incidents.act(incidentId, { kind: 'unack' }, now), 'unack', undefined, actor, now);
    }
    const action = this.action(kind, actor, cmd);
    const memberIds = incidents.act(incidentId, action, now);
    // Escalating is the incident's own: its members do not change.
    if (kind !== 'escalate') this.members(incidentId, memberIds, kind, cmd, actor, now);
    // The ring an escalation causes writes the `escalated` entry (with the level reached).
    if (kind !== 'escalate') incidents.queue(entry);
    return { ok: true };
  }

  /**
   * A comment changes nothing, so it is taken on any incident, resolved ones included (the
   * postmortem), also one the core has already forgotten (then straight from the table).
   */
  private comment(
    incidentId: string,
    i: IncidentRecord | undefined,
    cmd: CommandFrame,
    actor: string,
    now: number,
  ): CommandResult {
    const note = cmd.note?.trim() ? cmd.note : undefined;
    if (note === undefined) return { ok: false, error: 'comment needs a `note`' };
    if (i !== undefined) {
      this.deps.incidents.queue({ incidentId, kind: 'commented', actor, note });
      return { ok: true };
    }
    const stored = this.deps.store.incidents.get(incidentId);
    if (stored === undefined) return { ok: false, error: `incident ${incidentId} not found` };
    this.deps.alerts.publish(
      this.deps.store.appendIncidentLog({ at: now, incidentId, kind: 'commented', actor, note, incident: stored }),
    );
    return { ok: true };
  }

  /** Commands refused before anything changes (a conflict: no longer applies; an error: bad input). */
  private refusal(
    i: IncidentRecord,
    kind: TargetedCommandKind,
    cmd: CommandFrame,
    now: number,
  ): CommandResult | undefined {
    switch (kind) {
      case 'ack':
        return i.status === 'acknowledged'
          ? { ok: false, conflict: `incident is already acknowledged by ${i.acknowledgedBy ?? 'someone'}` }
          : undefined;
      case 'unack':
        return i.status !== 'acknowledged'
          ? { ok: false, conflict: `incident is ${i.status}, not acknowledged` }
          : undefined;
      case 'mitigate':
        return i.mitigatedAt !== undefined ? { ok: false, conflict: 'incident is already mitigated' } : undefined;
      case 'snooze': {
        const until = snoozeUntil(cmd, now, this.deps.alerts.commandLimits);
        return typeof until === 'string' ? { ok: false, error: until } : undefined;
      }
      case 'escalate': {
        const why = this.deps.escalation.refuseEscalate(i);
        return why !== undefined ? { ok: false, conflict: why } : undefined;
      }
      case 'comment':
      case 'resolve':
        return undefined;
    }
  }

  private action(kind: Exclude<TargetedCommandKind, 'comment'>, actor: string, cmd: CommandFrame): IncidentAction {
    switch (kind) {
      case 'ack':
        return { kind: 'ack', by: actor };
      case 'snooze':
        return { kind: 'snooze', until: Date.parse(cmd.until ?? '') };
      default:
        return { kind };
    }
  }

  /**
   * The same command on each open member, in the alert store (a member it no longer applies to is
   * skipped). The command's note goes on the incident's entry only: repeated on every member, one
   * note (up to 5000 characters) on a 10,000-member incident would write ~50 MB of log.
   */
  private members(
    incidentId: string,
    ids: readonly string[],
    kind: TargetedCommandKind,
    cmd: CommandFrame | undefined,
    actor: string,
    now: number,
  ): void {
    for (const id of ids) {
      this.deps.alerts.applyToAlert(
        {
          kind,
          alertId: id,
          note: memberNote(incidentId),
          ...(cmd?.until !== undefined ? { until: cmd.until } : {}),
        },
        actor,
        now,
      );
    }
  }
}

/** A member's timeline note for a command on its incident: short, whatever the command's note. */
export function memberNote(incidentId: string): string {
  return `with incident ${incidentId}`;
}

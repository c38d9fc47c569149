import { toIso, type Clock } from '../../../shared/clock.js';
import { applyActionItem, applyEdit, newDraft, openingAlert, type PmResult } from '../../../shared/postmortem/apply.js';
import {
  MAX_POSTMORTEMS,
  REVIEW_MARK_WEEKS_AHEAD,
  REVIEW_MAX_MARKS_PER_WEEK,
  type Postmortem,
  type ReviewMark,
} from '../../../shared/postmortem/schema.js';
import { reviewWeekRefusal, shiftWeek, weekOf } from '../../../shared/postmortem/week.js';
import type { Alert } from '../../../shared/protocol/alert.js';
import type { CommandFrame } from '../../../shared/protocol/stream.js';
import type { CommandResult } from '../store/store.js';
import type { PostmortemStore } from './postmortem-store.js';

/** The command kinds this service applies (the stream hub routes them here). */
export const POSTMORTEM_KINDS: ReadonlySet<CommandFrame['kind']> = new Set([
  'postmortem-draft',
  'postmortem-edit',
  'action-item',
  'review-mark',
]);

export interface PostmortemServiceDeps {
  store: PostmortemStore;
  clock: Clock;
  /** The runbook serving an alert type, when the team has one (a runbook follow-up links to it). */
  runbookFor?: (alert: Alert) => string | undefined;
  /** The team's time zone (teamTimeZone: the rotation's, else business hours', else UTC): review weeks. */
  timeZone: () => string;
  /**
   * Applied command ids are remembered this long (`retention.eventLog`, like the alert commands'):
   * an outbox re-sends within it. Pruned at start and at most daily on use. Absent: kept.
   */
  commandRetentionMs?: number;
}

/** Applied command ids are pruned at most this often. */
const COMMAND_PRUNE_EVERY_MS = 86_400_000;

/**
 * Postmortems and review marks on the collector (issue 15): applies `postmortem-draft`,
 * `postmortem-edit`, `action-item` and `review-mark` commands once per id, each in one durable
 * transaction, and tells listeners (the stream hub → a `postmortems` frame to every desktop).
 * A draft's timeline is reconstructed here from the collector's own log, so it is exact.
 */
export class PostmortemService {
  private readonly listeners = new Set<(changedAt: number) => void>();
  private prunedAt = -Infinity;

  constructor(private readonly deps: PostmortemServiceDeps) {
    this.pruneIfDue();
  }

  /** Forgets applied command ids older than the retention (at most daily). */
  private pruneIfDue(): void {
    const { commandRetentionMs, clock, store } = this.deps;
    if (commandRetentionMs === undefined) return;
    const now = clock.now();
    if (now - this.prunedAt < COMMAND_PRUNE_EVERY_MS) return;
    this.prunedAt = now;
    store.pruneCommands(toIso(now - commandRetentionMs));
  }

  onChanged(listener: (changedAt: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  apply(cmd: CommandFrame, actor: string): CommandResult {
    const { store, clock } = this.deps;
    this.pruneIfDue();
    let changed = false;
    const result = store.transaction(() => {
      const seen = store.commandResult(cmd.id);
      if (seen) return seen;
      const now = clock.now();
      const r = this.applyOnce(cmd, actor, now);
      if (r.ok) changed = true;
      store.recordCommand(cmd.id, toIso(now), r);
      return r;
    });
    if (changed) {
      const at = clock.now();
      for (const l of this.listeners) l(at);
    }
    return result;
  }

  /** Postmortems changed after `rev`, oldest change first, and the newest rev. */
  page(after: number, limit: number): { postmortems: Postmortem[]; rev: number } {
    return { postmortems: this.deps.store.after(after, limit), rev: this.deps.store.maxRev() };
  }

  /** Marks from `sinceWeek` up to next week (no mark can be later, see reviewMarkRefusal). */
  marks(sinceWeek: string, limit: number): ReviewMark[] {
    const until = shiftWeek(weekOf(this.deps.clock.now(), this.deps.timeZone()), REVIEW_MARK_WEEKS_AHEAD);
    return this.deps.store.marksSince(sinceWeek, until, limit);
  }

  /** A mark only for a week from REVIEW_MARK_WEEKS_BACK ago to next week, at most REVIEW_MAX_MARKS_PER_WEEK a week. */
  private reviewMarkRefusal(week: string, itemKey: string, now: number): string | undefined {
    const outside = reviewWeekRefusal(week, now, this.deps.timeZone());
    if (outside !== undefined) return outside;
    const { count, has } = this.deps.store.weekMarks(week, itemKey);
    if (!has && count >= REVIEW_MAX_MARKS_PER_WEEK) {
      return `reviewMark.itemKey: a week holds at most ${REVIEW_MAX_MARKS_PER_WEEK} review marks`;
    }
    return undefined;
  }

  close(): void {
    this.deps.store.close();
  }

  private applyOnce(cmd: CommandFrame, actor: string, now: number): CommandResult {
    switch (cmd.kind) {
      case 'postmortem-draft':
        return this.draft(cmd, actor, now);
      case 'postmortem-edit': {
        const req = cmd.postmortemEdit;
        if (!req) return { ok: false, error: 'postmortemEdit: postmortem-edit needs postmortemEdit' };
        return this.change(req.postmortemId, 'postmortemEdit', (pm) => applyEdit(pm, req, actor, now));
      }
      case 'action-item': {
        const req = cmd.actionItem;
        if (!req) return { ok: false, error: 'actionItem: action-item needs actionItem' };
        return this.change(req.postmortemId, 'actionItem', (pm) => applyActionItem(pm, req, cmd.id, actor, now));
      }
      case 'review-mark': {
        const req = cmd.reviewMark;
        if (!req) return { ok: false, error: 'reviewMark: review-mark needs reviewMark' };
        const refused = this.reviewMarkRefusal(req.week, req.itemKey, now);
        if (refused !== undefined) return { ok: false, error: refused };
        this.deps.store.putMark({
          week: req.week,
          itemKey: req.itemKey,
          reviewed: req.reviewed,
          ...(req.note !== undefined && req.note !== '' ? { note: req.note } : {}),
          by: actor,
          at: toIso(now),
        });
        return { ok: true };
      }
      default:
        return { ok: false, error: `${cmd.kind} is not a postmortem command` };
    }
  }

  private draft(cmd: CommandFrame, actor: string, now: number): CommandResult {
    const { store } = this.deps;
    const req = cmd.postmortemDraft;
    if (!req) return { ok: false, error: 'postmortemDraft: postmortem-draft needs postmortemDraft' };
    // One postmortem per incident (its id derives from the incident's): a second desktop's draft,
    // made before it saw the first, is the same draft, so it is ok and changes nothing.
    if (store.forIncident(req.incidentId)) return { ok: true };
    if (store.count() >= MAX_POSTMORTEMS) {
      return { ok: false, error: `postmortemDraft: the collector keeps at most ${MAX_POSTMORTEMS} postmortems` };
    }
    const incident = store.incident(req.incidentId);
    if (!incident) return { ok: false, error: `postmortemDraft.incidentId: no incident ${req.incidentId}` };
    const alerts = store.alerts(incident.alertIds);
    const opening = openingAlert(alerts);
    const runbookId = opening ? this.deps.runbookFor?.(opening) : undefined;
    const pm = newDraft(
      { incident, alerts, moments: store.moments(incident.id, incident.alertIds), runbookId },
      actor,
      now,
    );
    store.put({ ...pm, rev: store.maxRev() + 1 });
    return { ok: true };
  }

  private change(id: string, field: string, fn: (pm: Postmortem) => PmResult): CommandResult {
    const { store } = this.deps;
    const pm = store.get(id);
    if (!pm) return { ok: false, conflict: `${field}.postmortemId: no postmortem ${id}` };
    const r = fn(pm);
    if (!r.ok)
      return r.conflict !== undefined
        ? { ok: false, conflict: r.conflict }
        : { ok: false, error: r.error ?? 'refused' };
    if (r.postmortem === pm) return { ok: true };
    store.put({ ...r.postmortem, rev: store.maxRev() + 1 });
    return { ok: true };
  }
}

import { ApiRefusal, type ApiHandlers } from '../../../../shared/api/handlers.js';
import { toIso, type Clock } from '../../../../shared/clock.js';
import { listActionItems, type ActionItemList } from '../../../../shared/postmortem/action-items.js';
import { openingAlert, postmortemIdFor, type DraftSource } from '../../../../shared/postmortem/apply.js';
import { markdownFilename, postmortemMarkdown } from '../../../../shared/postmortem/markdown.js';
import { buildReviewWeek, type ReviewWeek } from '../../../../shared/postmortem/review.js';
import { POSTMORTEM_MAX_ACTION_ITEMS, type Postmortem } from '../../../../shared/postmortem/schema.js';
import { reviewWeekRefusal, weekOf, weekRange } from '../../../../shared/postmortem/week.js';
import type { Alert } from '../../../../shared/protocol/alert.js';
import type { ApiHandlerParams } from '../../../../shared/protocol/api.js';
import type { POSTMORTEM_API_METHODS } from '../../../../shared/protocol/postmortem-api.js';
import type { Cache } from '../cache/index.js';
import type { Outbox } from '../outbox.js';
import type { PostmortemCache } from './postmortem-cache.js';
import { overlayMarks, overlayPostmortems } from './postmortem-overlay.js';

type Method = keyof typeof POSTMORTEM_API_METHODS;
type Params<M extends Method> = ApiHandlerParams<M>;

export interface PostmortemApiDeps {
  cache: Cache;
  postmortems: PostmortemCache;
  outbox: Pick<Outbox, 'enqueuePostmortem' | 'onChanged'>;
  clock: Clock;
  /** Who this desktop acts as (the author of queued changes). */
  user: string;
  /** The team's time zone (the rotation's), for weeks and due dates; UTC without a rotation. */
  timeZone: () => string;
  /** The runbook serving an alert type, from the cached runbooks. */
  runbookFor?: (alert: Alert) => string | undefined;
  /** The sync pulled new postmortems or marks. */
  onSynced: (listener: (at: string) => void) => () => void;
}

const POSTMORTEM_KINDS = new Set(['postmortem-draft', 'postmortem-edit', 'action-item', 'review-mark']);

/**
 * The `postmortems.*`, `actionItems.list` and `review.*` Api calls (issue 15): reads come from the
 * cache with this desktop's queued commands applied on top; changes go through the outbox.
 * Refusals name the field, like the collector's.
 */
export class PostmortemApi {
  constructor(private readonly deps: PostmortemApiDeps) {}

  /** Fires when what these calls answer may have changed (a pull, or a command queued or answered here). */
  onChanged(listener: (at: string) => void): () => void {
    const stopSync = this.deps.onSynced(listener);
    const stopOutbox = this.deps.outbox.onChanged((item) => {
      if (POSTMORTEM_KINDS.has(item.kind)) listener(item.createdAt);
    });
    return () => {
      stopSync();
      stopOutbox();
    };
  }

  list(): Postmortem[] {
    return this.overlaid().postmortems;
  }

  get(id: string): Postmortem | null {
    const synced = this.deps.postmortems.get(id);
    return this.overlaid(synced ? [synced] : []).postmortems.find((p) => p.id === id) ?? null;
  }

  /** Read on every change of an open incident: one cached row plus the queued commands, not the whole list. */
  forIncident(incidentId: string): Postmortem | null {
    const synced = this.deps.postmortems.forIncident(incidentId);
    return this.overlaid(synced ? [synced] : []).postmortems.find((p) => p.incident.id === incidentId) ?? null;
  }

  draft(incidentId: string): { commandId: string; postmortemId: string } {
    if (this.deps.cache.incident(incidentId) === null) {
      throw new ApiRefusal({ code: 'not_found', message: `incidentId: no incident ${incidentId} in the cache` });
    }
    // One postmortem per incident, its id derived from the incident's: a repeat draft (this desktop's
    // or another's) is the same postmortem, and the collector answers it ok without a change.
    const item = this.deps.outbox.enqueuePostmortem({ kind: 'postmortem-draft', postmortemDraft: { incidentId } });
    return { commandId: item.id, postmortemId: postmortemIdFor(incidentId) };
  }

  edit(p: Params<'postmortems.edit'>): { commandId: string } {
    this.require(p.postmortemId);
    return { commandId: this.deps.outbox.enqueuePostmortem({ kind: 'postmortem-edit', postmortemEdit: p }).id };
  }

  addActionItem(p: Params<'postmortems.addActionItem'>): { commandId: string; itemId: string } {
    const pm = this.require(p.postmortemId);
    if (pm.actionItems.length >= POSTMORTEM_MAX_ACTION_ITEMS) {
      throw new ApiRefusal({
        code: 'invalid_field',
        message: `postmortemId: a postmortem holds at most ${POSTMORTEM_MAX_ACTION_ITEMS} action items`,
      });
    }
    const runbookId = p.kind === 'runbook-follow-up' ? (p.runbookId ?? pm.incident.runbookId) : undefined;
    if (p.kind === 'runbook-follow-up' && runbookId === undefined) {
      throw new ApiRefusal({
        code: 'invalid_field',
        message: 'runbookId: a runbook follow-up needs a runbook, and the incident names none',
      });
    }
    const item = this.deps.outbox.enqueuePostmortem({
      kind: 'action-item',
      actionItem: {
        op: 'add',
        postmortemId: p.postmortemId,
        kind: p.kind,
        text: p.text,
        owner: p.owner,
        due: p.due,
        ...(runbookId !== undefined ? { runbookId } : {}),
      },
    });
    return { commandId: item.id, itemId: item.id };
  }

  updateActionItem(p: Params<'postmortems.updateActionItem'>): { commandId: string } {
    const pm = this.require(p.postmortemId);
    if (!pm.actionItems.some((a) => a.id === p.itemId)) {
      throw new ApiRefusal({
        code: 'not_found',
        message: `itemId: postmortem ${pm.id} has no action item ${p.itemId}`,
      });
    }
    const item = this.deps.outbox.enqueuePostmortem({ kind: 'action-item', actionItem: { op: 'update', ...p } });
    return { commandId: item.id };
  }

  markdown(id: string): { markdown: string; filename: string } {
    const pm = this.require(id, 'id');
    return { markdown: postmortemMarkdown(pm), filename: markdownFilename(pm) };
  }

  actionItems(): ActionItemList {
    const { postmortems, pendingIds } = this.overlaid();
    return listActionItems(postmortems, this.deps.clock.now(), this.deps.timeZone(), pendingIds);
  }

  review(week: string | undefined): ReviewWeek {
    const tz = this.deps.timeZone();
    const now = this.deps.clock.now();
    const w = week ?? weekOf(now, tz);
    const marks = overlayMarks(this.deps.postmortems.marks(w), this.pending(), w, this.deps.user);
    const { startMs, endMs } = weekRange(w, tz);
    const alerts = this.deps.postmortems.reviewAlerts(toIso(startMs), toIso(endMs));
    return buildReviewWeek(w, tz, alerts, marks, now);
  }

  mark(p: Params<'review.mark'>): { commandId: string } {
    // The collector's rule, checked here first so a mark made offline is refused at once.
    const outside = reviewWeekRefusal(p.week, this.deps.clock.now(), this.deps.timeZone());
    if (outside !== undefined) {
      throw new ApiRefusal({ code: 'invalid_field', message: outside.replace(/^reviewMark\./, '') });
    }
    return { commandId: this.deps.outbox.enqueuePostmortem({ kind: 'review-mark', reviewMark: p }).id };
  }

  private pending() {
    return this.deps.cache.pendingPostmortemCommands();
  }

  /** `synced`: the cached postmortems to start from (default: all of them). */
  private overlaid(synced: readonly Postmortem[] = this.deps.postmortems.list()) {
    return overlayPostmortems(synced, this.pending(), this.deps.user, (id) => this.source(id));
  }

  /** A draft made offline: the cached incident, its members and its merged timeline. */
  private source(incidentId: string): DraftSource | null {
    const detail = this.deps.cache.getIncident(incidentId);
    if (!detail) return null;
    const opening = openingAlert(detail.alerts);
    return {
      incident: detail.incident,
      alerts: detail.alerts,
      moments: detail.timeline,
      runbookId: opening ? this.deps.runbookFor?.(opening) : undefined,
    };
  }

  private require(id: string, field = 'postmortemId'): Postmortem {
    const pm = this.get(id);
    if (!pm) throw new ApiRefusal({ code: 'not_found', message: `${field}: no postmortem ${id}` });
    return pm;
  }
}

/** The handlers ApiService spreads into its table (one line there). */
export function postmortemHandlers(source: () => PostmortemApi): Pick<ApiHandlers, Method> {
  return {
    'postmortems.list': () => source().list(),
    'postmortems.get': (p) => source().get(p.id),
    'postmortems.forIncident': (p) => source().forIncident(p.incidentId),
    'postmortems.draft': (p) => source().draft(p.incidentId),
    'postmortems.edit': (p) => source().edit(p),
    'postmortems.addActionItem': (p) => source().addActionItem(p),
    'postmortems.updateActionItem': (p) => source().updateActionItem(p),
    'postmortems.markdown': (p) => source().markdown(p.id),
    'actionItems.list': () => source().actionItems(),
    'review.get': (p) => source().review(p.week),
    'review.mark': (p) => source().mark(p),
  };
}

import { z } from 'zod';
import { ActionItemList } from '../postmortem/action-items.js';
import { ReviewWeek } from '../postmortem/review.js';
import {
  ActionItemKind,
  DueDate,
  Postmortem,
  PostmortemEditRequest,
  REVIEW_MAX_ITEM_KEY,
  REVIEW_MAX_NOTE,
  WeekId,
  ACTION_ITEM_MAX_TEXT,
} from '../postmortem/schema.js';
import { RunbookId } from '../runbooks/schema.js';
import { UserName } from './user.js';

/**
 * Issue 15's Api methods (spread into API_METHODS in ./api.ts). Reads answer from the desktop
 * cache with this desktop's queued commands applied on top (drafting works offline); changes
 * are queued in the outbox and applied once by the collector.
 */
const Id = z.string().min(1).max(100);
const CommandAccepted = z.object({ commandId: z.string() });

export const POSTMORTEM_API_METHODS = {
  /** Every postmortem (synced, plus drafts still in the outbox), newest first. */
  'postmortems.list': { params: z.object({}).strict(), result: z.array(Postmortem) },
  'postmortems.get': { params: z.object({ id: Id }).strict(), result: Postmortem.nullable() },
  /** The postmortem of an incident, if one was drafted. */
  'postmortems.forIncident': {
    params: z.object({ incidentId: z.string().min(1).max(200) }).strict(),
    result: Postmortem.nullable(),
  },
  /** Queues a draft for the incident; the collector reconstructs the timeline from its log. */
  'postmortems.draft': {
    params: z.object({ incidentId: z.string().min(1).max(200) }).strict(),
    result: z.object({ commandId: z.string(), postmortemId: z.string() }),
  },
  /** Replaces the title or one section. */
  'postmortems.edit': { params: PostmortemEditRequest, result: CommandAccepted },
  'postmortems.addActionItem': {
    params: z
      .object({
        postmortemId: Id,
        kind: ActionItemKind,
        text: z.string().trim().min(1, 'an action item needs a text').max(ACTION_ITEM_MAX_TEXT),
        owner: UserName,
        due: DueDate,
        runbookId: RunbookId.optional(),
      })
      .strict(),
    result: z.object({ commandId: z.string(), itemId: z.string() }),
  },
  'postmortems.updateActionItem': {
    params: z
      .object({
        postmortemId: Id,
        itemId: Id,
        text: z.string().trim().min(1).max(ACTION_ITEM_MAX_TEXT).optional(),
        owner: UserName.optional(),
        due: DueDate.optional(),
        done: z.boolean().optional(),
      })
      .strict(),
    result: CommandAccepted,
  },
  /** The postmortem as Markdown (built here, works offline). */
  'postmortems.markdown': {
    params: z.object({ id: Id }).strict(),
    result: z.object({ markdown: z.string(), filename: z.string() }),
  },
  /**
   * Action items across postmortems, overdue ones flagged, and `summary` {total, done, open,
   * overdue, completionRate}: the Health view's "action item completion rate".
   */
  'actionItems.list': { params: z.object({}).strict(), result: ActionItemList },
  /** The week's review checklist (default: this week, in the rotation's time zone). */
  'review.get': { params: z.object({ week: WeekId.optional() }).strict(), result: ReviewWeek },
  'review.mark': {
    params: z
      .object({
        week: WeekId,
        itemKey: z.string().min(1).max(REVIEW_MAX_ITEM_KEY),
        reviewed: z.boolean(),
        note: z.string().max(REVIEW_MAX_NOTE).optional(),
      })
      .strict(),
    result: CommandAccepted,
  },
} as const;

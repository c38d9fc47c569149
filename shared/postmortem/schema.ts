import { DateTime } from 'luxon';
import { z } from 'zod';
import { AlertEventKind, Tier } from '../protocol/alert.js';
import { UserName } from '../protocol/user.js';
import { RunbookId } from '../runbooks/schema.js';

/**
 * Issue 15 wire shapes (protocol 6): postmortems with their action items, and weekly-review
 * marks. Both are stored on the collector and changed only by commands (through the desktop
 * outbox, so drafting works offline); desktops pull them into their cache.
 *
 * Every text is bounded so the largest command stays inside 60% of the stream's 64 KiB frame
 * (the door's margin, see stream-frame-size.test.ts) even when every character is JSON-escaped
 * (5,000 × 6 bytes = 30 KB, like a comment's note): a postmortem is edited one section per command.
 */

const IsoTime = z.iso.datetime({ offset: true });

/** Longest postmortem title. */
export const POSTMORTEM_MAX_TITLE = 200;
/** Longest template section (summary, impact, …): about 800 words, the same bound as a comment. */
export const POSTMORTEM_MAX_SECTION = 5_000;
/** Action items one postmortem holds at most. */
export const POSTMORTEM_MAX_ACTION_ITEMS = 50;
/** Longest action item text. */
export const ACTION_ITEM_MAX_TEXT = 500;
/** Timeline entries kept in a draft (the newest incidents have a few dozen). */
export const POSTMORTEM_MAX_TIMELINE = 300;
/** A timeline entry's text is cut to this (remediation output can be long). */
export const POSTMORTEM_MAX_TIMELINE_TEXT = 500;
/** Postmortems the collector keeps; past it a new draft is refused (delete is not a feature yet). */
export const MAX_POSTMORTEMS = 1_000;
/** Postmortems per `GET /v1/postmortems` page (the desktop pulls pages until it has them all). */
export const POSTMORTEM_PAGE = 50;
/** Longest review note. */
export const REVIEW_MAX_NOTE = 2_000;
/** Longest checklist item key (`alert:<id>`). */
export const REVIEW_MAX_ITEM_KEY = 220;
/** Review marks `GET /v1/review/marks` answers at most. */
export const MAX_REVIEW_MARKS_LISTED = 5_000;
/** Oldest week a review mark may be made for: twelve weeks back (a quarter of weekly reviews). */
export const REVIEW_MARK_WEEKS_BACK = 12;
/** Newest week a review mark may be made for: next week (prepared ahead of the meeting). */
export const REVIEW_MARK_WEEKS_AHEAD = 1;
/** Marks one week holds at most (a week's checklist: tier-3 items and tickets). */
export const REVIEW_MAX_MARKS_PER_WEEK = 500;
/** Weeks of review marks desktops pull (this week, last week and a few before). */
export const REVIEW_SYNC_WEEKS = 8;

/** "YYYY-MM-DD", a real calendar date. */
export const DueDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date like "2026-03-31"')
  .refine((d) => DateTime.fromISO(d, { zone: 'UTC' }).isValid, 'not a calendar date');

/** A review week: the date of its Monday in the team's time zone. */
export const WeekId = DueDate.refine(
  (d) => DateTime.fromISO(d, { zone: 'UTC' }).weekday === 1,
  'a week is named by its Monday (YYYY-MM-DD)',
);

export const POSTMORTEM_SECTIONS = ['summary', 'impact', 'rootCause', 'wentWell', 'wentBadly'] as const;
export const PostmortemSection = z.enum(POSTMORTEM_SECTIONS);
export type PostmortemSection = z.infer<typeof PostmortemSection>;
/** The blameless template's headings, in order. */
export const SECTION_TITLES: Readonly<Record<PostmortemSection, string>> = {
  summary: 'Summary',
  impact: 'Impact',
  rootCause: 'Root cause',
  wentWell: 'What went well',
  wentBadly: 'What went badly',
};
/** What an empty section prompts (blameless: systems and decisions, not people). */
export const SECTION_PROMPTS: Readonly<Record<PostmortemSection, string>> = {
  summary: 'What happened, in two or three sentences.',
  impact: 'Who and what was affected, for how long, how badly.',
  rootCause: 'Why it happened: the conditions and decisions, not the people.',
  wentWell: 'What helped detect, mitigate or resolve it.',
  wentBadly: 'What slowed us down or made it worse.',
};

export const Sections = z.strictObject({
  summary: z.string().max(POSTMORTEM_MAX_SECTION),
  impact: z.string().max(POSTMORTEM_MAX_SECTION),
  rootCause: z.string().max(POSTMORTEM_MAX_SECTION),
  wentWell: z.string().max(POSTMORTEM_MAX_SECTION),
  wentBadly: z.string().max(POSTMORTEM_MAX_SECTION),
});
export type Sections = z.infer<typeof Sections>;

/** What kind of moment a timeline entry is (the Markdown and the editor group by it). */
export const TimelineCategory = z.enum([
  'fired',
  'notified',
  'acknowledged',
  'escalated',
  'remediation',
  'runbook',
  'comment',
  'mitigated',
  'resolved',
  'other',
]);
export type TimelineCategory = z.infer<typeof TimelineCategory>;

/** One reconstructed moment, to the second (`at` is whole seconds, UTC). */
export const PostmortemTimelineEntry = z.strictObject({
  at: IsoTime,
  seq: z.number().int().positive(),
  kind: AlertEventKind,
  category: TimelineCategory,
  /** The member alert it is about; absent: the incident itself. */
  alertId: z.string().max(200).optional(),
  actor: z.string().max(200).optional(),
  text: z.string().max(POSTMORTEM_MAX_TIMELINE_TEXT),
});
export type PostmortemTimelineEntry = z.infer<typeof PostmortemTimelineEntry>;

export const ActionItemKind = z.enum(['task', 'runbook-follow-up']);
export type ActionItemKind = z.infer<typeof ActionItemKind>;

export const ActionItem = z.strictObject({
  /** The id of the command that added it. */
  id: z.string().min(1).max(100),
  kind: ActionItemKind,
  text: z.string().min(1).max(ACTION_ITEM_MAX_TEXT),
  owner: UserName,
  due: DueDate,
  done: z.boolean(),
  doneAt: IsoTime.optional(),
  doneBy: z.string().max(200).optional(),
  /** A runbook follow-up: the runbook to update after the incident. */
  runbookId: RunbookId.optional(),
  createdBy: z.string().max(200),
  createdAt: IsoTime,
});
export type ActionItem = z.infer<typeof ActionItem>;

/** The incident as the draft saw it (the postmortem outlives the incident in the cache). */
export const PostmortemIncident = z.strictObject({
  id: z.string().max(200),
  title: z.string().max(1_000),
  tier: Tier,
  firedAt: IsoTime,
  acknowledgedAt: IsoTime.optional(),
  acknowledgedBy: z.string().max(200).optional(),
  mitigatedAt: IsoTime.optional(),
  resolvedAt: IsoTime.optional(),
  alertCount: z.number().int().nonnegative(),
  /** The runbook of the alert type that opened it (what a runbook follow-up links to). */
  runbookId: RunbookId.optional(),
});
export type PostmortemIncident = z.infer<typeof PostmortemIncident>;

export const Postmortem = z.strictObject({
  /** `postmortemIdFor(incident id)` (apply.ts): one postmortem per incident, the same id on every desktop. */
  id: z.string().min(1).max(100),
  /** Increases with every change on the collector (desktops pull what changed after theirs). 0: not applied yet. */
  rev: z.number().int().nonnegative(),
  title: z.string().max(POSTMORTEM_MAX_TITLE),
  incident: PostmortemIncident,
  timeline: z.array(PostmortemTimelineEntry).max(POSTMORTEM_MAX_TIMELINE),
  sections: Sections,
  actionItems: z.array(ActionItem).max(POSTMORTEM_MAX_ACTION_ITEMS),
  createdBy: z.string().max(200),
  createdAt: IsoTime,
  updatedBy: z.string().max(200),
  updatedAt: IsoTime,
});
export type Postmortem = z.infer<typeof Postmortem>;

export const PostmortemPage = z.object({
  postmortems: z.array(Postmortem),
  /** The highest rev on the collector (a desktop at it has everything). */
  rev: z.number().int().nonnegative(),
});
export type PostmortemPage = z.infer<typeof PostmortemPage>;

// ---- command payloads (CommandFrame fields) ----

/** `postmortem-draft`: a draft for this incident (idempotent); its id is `postmortemIdFor(incidentId)`. */
export const PostmortemDraftRequest = z.strictObject({ incidentId: z.string().min(1).max(200) });
export type PostmortemDraftRequest = z.infer<typeof PostmortemDraftRequest>;

/** `postmortem-edit`: one field at a time (the title or one section); the last edit wins. */
export const PostmortemEditRequest = z
  .strictObject({
    postmortemId: z.string().min(1).max(100),
    field: z.enum(['title', ...POSTMORTEM_SECTIONS]),
    text: z.string().max(POSTMORTEM_MAX_SECTION),
  })
  .refine((e) => e.field !== 'title' || e.text.length <= POSTMORTEM_MAX_TITLE, {
    message: `a title is at most ${POSTMORTEM_MAX_TITLE} characters`,
    path: ['text'],
  });
export type PostmortemEditRequest = z.infer<typeof PostmortemEditRequest>;

/** `action-item` with op `add` (its id is the command's id) or `update` (only the fields given change). */
export const ActionItemRequest = z.discriminatedUnion('op', [
  z.strictObject({
    op: z.literal('add'),
    postmortemId: z.string().min(1).max(100),
    kind: ActionItemKind,
    text: z.string().trim().min(1, 'an action item needs a text').max(ACTION_ITEM_MAX_TEXT),
    owner: UserName,
    due: DueDate,
    runbookId: RunbookId.optional(),
  }),
  z.strictObject({
    op: z.literal('update'),
    postmortemId: z.string().min(1).max(100),
    itemId: z.string().min(1).max(100),
    text: z.string().trim().min(1, 'an action item needs a text').max(ACTION_ITEM_MAX_TEXT).optional(),
    owner: UserName.optional(),
    due: DueDate.optional(),
    done: z.boolean().optional(),
  }),
]);
export type ActionItemRequest = z.infer<typeof ActionItemRequest>;

/** `review-mark`: one checklist item of one week marked reviewed (or not) with a note. */
export const ReviewMarkRequest = z.strictObject({
  week: WeekId,
  itemKey: z.string().min(1).max(REVIEW_MAX_ITEM_KEY),
  reviewed: z.boolean(),
  note: z.string().max(REVIEW_MAX_NOTE).optional(),
});
export type ReviewMarkRequest = z.infer<typeof ReviewMarkRequest>;

export const ReviewMark = z.strictObject({
  week: WeekId,
  itemKey: z.string().min(1).max(REVIEW_MAX_ITEM_KEY),
  reviewed: z.boolean(),
  note: z.string().max(REVIEW_MAX_NOTE).optional(),
  by: z.string().max(200),
  at: IsoTime,
});
export type ReviewMark = z.infer<typeof ReviewMark>;

export const ReviewMarkList = z.object({ marks: z.array(ReviewMark) });
export type ReviewMarkList = z.infer<typeof ReviewMarkList>;

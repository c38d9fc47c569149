import { z } from 'zod';
import { toIso } from '../clock.js';
import { AlertStatus, Tier, type Alert } from '../protocol/alert.js';
import {
  COST_TREND_RULE_ID,
  EVAL_COVERAGE_RULE_ID,
  INPUT_MIX_TREND_RULE_ID,
  MODEL_VERSION_CHANGE_RULE_ID,
} from '../rules/weekly.js';
import type { ReviewMark } from './schema.js';
import { shiftWeek, weekOf, weekRange } from './week.js';

/**
 * The weekly review checklist: the week's tier-3 findings (the weekly rules fire `review` alerts:
 * model/version changes, input mix, cost trend, eval coverage) and the week's tickets, each
 * markable as reviewed with a note. Pure: the desktop builds it from its cache.
 */
export const ReviewCategory = z.enum(['model-version', 'input-mix', 'cost-trend', 'eval-coverage', 'review', 'ticket']);
export type ReviewCategory = z.infer<typeof ReviewCategory>;

export const REVIEW_CATEGORY_TITLES: Readonly<Record<ReviewCategory, string>> = {
  'model-version': 'Model / version changes',
  'input-mix': 'Input mix',
  'cost-trend': 'Cost trend',
  'eval-coverage': 'Eval coverage',
  review: 'Other weekly findings',
  ticket: 'Tickets',
};

/** Weeks the selector offers: this one and the ones before it (last week always among them). */
export const REVIEW_SELECTABLE_WEEKS = 4;

export const ReviewItem = z.object({
  key: z.string(),
  category: ReviewCategory,
  title: z.string(),
  alertId: z.string(),
  incidentId: z.string().optional(),
  tier: Tier,
  status: AlertStatus,
  firedAt: z.string(),
  reviewed: z.boolean(),
  note: z.string().optional(),
  by: z.string().optional(),
  at: z.string().optional(),
  /** The mark was made here and is not applied by the collector yet. */
  pending: z.boolean(),
});
export type ReviewItem = z.infer<typeof ReviewItem>;

export const ReviewWeek = z.object({
  week: z.string(),
  timeZone: z.string(),
  start: z.string(),
  end: z.string(),
  /** Selectable weeks, newest first (this week, last week, …). */
  weeks: z.array(z.string()),
  items: z.array(ReviewItem),
});
export type ReviewWeek = z.infer<typeof ReviewWeek>;

const RULE_CATEGORY: Readonly<Record<string, ReviewCategory>> = {
  [MODEL_VERSION_CHANGE_RULE_ID]: 'model-version',
  [INPUT_MIX_TREND_RULE_ID]: 'input-mix',
  [COST_TREND_RULE_ID]: 'cost-trend',
  [EVAL_COVERAGE_RULE_ID]: 'eval-coverage',
};

const CATEGORY_ORDER = ReviewCategory.options;

/** The key an alert's checklist item (and its marks) go by. */
export function reviewKey(alertId: string): string {
  return `alert:${alertId}`;
}

function categoryOf(a: Alert): ReviewCategory | undefined {
  if (a.tier === 'ticket') return 'ticket';
  if (a.tier === 'review') return RULE_CATEGORY[a.ruleId] ?? 'review';
  return undefined;
}

/** An alert belongs to a week when it was open at some moment of it. */
function openDuring(a: Alert, startMs: number, endMs: number): boolean {
  const fired = Date.parse(a.firedAt);
  const resolved = a.resolvedAt !== undefined ? Date.parse(a.resolvedAt) : Number.POSITIVE_INFINITY;
  return fired < endMs && resolved >= startMs;
}

export function buildReviewWeek(
  week: string,
  timeZone: string,
  alerts: readonly Alert[],
  marks: readonly (ReviewMark & { pending?: boolean })[],
  nowMs: number,
): ReviewWeek {
  const { startMs, endMs } = weekRange(week, timeZone);
  const current = weekOf(nowMs, timeZone);
  const byKey = new Map<string, ReviewMark & { pending?: boolean }>();
  for (const m of marks) if (m.week === week) byKey.set(m.itemKey, m);
  const items: ReviewItem[] = [];
  for (const a of alerts) {
    const category = categoryOf(a);
    if (category === undefined || !openDuring(a, startMs, endMs)) continue;
    const key = reviewKey(a.id);
    const mark = byKey.get(key);
    items.push({
      key,
      category,
      title: a.summary,
      alertId: a.id,
      ...(a.incidentId !== undefined ? { incidentId: a.incidentId } : {}),
      tier: a.tier,
      status: a.status,
      firedAt: a.firedAt,
      reviewed: mark?.reviewed ?? false,
      ...(mark?.note !== undefined ? { note: mark.note } : {}),
      ...(mark ? { by: mark.by, at: mark.at } : {}),
      pending: mark?.pending === true,
    });
  }
  items.sort(
    (a, b) =>
      CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) ||
      a.firedAt.localeCompare(b.firedAt) ||
      a.key.localeCompare(b.key),
  );
  return {
    week,
    timeZone,
    start: toIso(startMs),
    end: toIso(endMs),
    weeks: Array.from({ length: REVIEW_SELECTABLE_WEEKS }, (_, i) => shiftWeek(current, -i)),
    items,
  };
}

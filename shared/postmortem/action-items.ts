import { z } from 'zod';
import { ActionItem, type Postmortem } from './schema.js';
import { localDate } from './week.js';

/** An action item as the cross-postmortem list shows it. */
export const ActionItemRow = ActionItem.extend({
  postmortemId: z.string(),
  postmortemTitle: z.string(),
  incidentId: z.string(),
  /** Not done and its due date has passed in the team's time zone. */
  overdue: z.boolean(),
  /** Made or changed on this desktop and not yet applied by the collector. */
  pending: z.boolean(),
});
export type ActionItemRow = z.infer<typeof ActionItemRow>;

/** The figure the Health view shows: how many action items are done, of all, and how many are late. */
export const ActionItemSummary = z.object({
  total: z.number().int().nonnegative(),
  done: z.number().int().nonnegative(),
  open: z.number().int().nonnegative(),
  overdue: z.number().int().nonnegative(),
  /** done / total, 0..1; null when there are no action items. */
  completionRate: z.number().min(0).max(1).nullable(),
});
export type ActionItemSummary = z.infer<typeof ActionItemSummary>;

export const ActionItemList = z.object({ items: z.array(ActionItemRow), summary: ActionItemSummary });
export type ActionItemList = z.infer<typeof ActionItemList>;

/** Overdue: not done, and the due date is before today in the team's zone (due today is not late). */
export function isOverdue(item: Pick<ActionItem, 'done' | 'due'>, nowMs: number, timeZone: string): boolean {
  return !item.done && item.due < localDate(nowMs, timeZone);
}

export function summarize(items: readonly Pick<ActionItemRow, 'done' | 'overdue'>[]): ActionItemSummary {
  const done = items.filter((i) => i.done).length;
  return {
    total: items.length,
    done,
    open: items.length - done,
    overdue: items.filter((i) => i.overdue).length,
    completionRate: items.length === 0 ? null : done / items.length,
  };
}

/**
 * Every action item of every postmortem: open ones first (overdue first, then by due date), then
 * done ones; with the summary. `pendingIds`: postmortems with commands still in the outbox.
 */
export function listActionItems(
  postmortems: readonly Postmortem[],
  nowMs: number,
  timeZone: string,
  pendingIds: ReadonlySet<string> = new Set(),
): ActionItemList {
  const items: ActionItemRow[] = [];
  for (const pm of postmortems) {
    for (const a of pm.actionItems) {
      items.push({
        ...a,
        postmortemId: pm.id,
        postmortemTitle: pm.title,
        incidentId: pm.incident.id,
        overdue: isOverdue(a, nowMs, timeZone),
        pending: pendingIds.has(a.id) || pm.rev === 0,
      });
    }
  }
  items.sort(
    (a, b) =>
      Number(a.done) - Number(b.done) ||
      Number(b.overdue) - Number(a.overdue) ||
      a.due.localeCompare(b.due) ||
      a.createdAt.localeCompare(b.createdAt),
  );
  return { items, summary: summarize(items) };
}

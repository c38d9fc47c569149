import {
  applyActionItem,
  applyEdit,
  newDraft,
  postmortemIdFor,
  type DraftSource,
} from '../../../../shared/postmortem/apply.js';
import type { Postmortem, ReviewMark } from '../../../../shared/postmortem/schema.js';
import type { OutboxCommand } from '../cache/index.js';

/** What this desktop shows: the synced postmortems with its queued commands applied on top. */
export interface Overlaid {
  postmortems: Postmortem[];
  /** Postmortems and action items changed by a queued command (shown as pending). */
  pendingIds: Set<string>;
}

/**
 * Applies queued postmortem commands (oldest first) to the synced postmortems with the same pure
 * reducer the collector uses, so a draft made offline, its edits and its action items show at
 * once. A draft made offline gets its timeline from the cached incident (`source`); once the
 * collector applies it, the pulled postmortem (timeline from the collector's log) replaces it.
 */
export function overlayPostmortems(
  synced: readonly Postmortem[],
  pending: readonly OutboxCommand[],
  user: string,
  source: (incidentId: string) => DraftSource | null,
): Overlaid {
  const byId = new Map(synced.map((p) => [p.id, p]));
  const incidents = new Set(synced.map((p) => p.incident.id));
  const pendingIds = new Set<string>();
  for (const cmd of pending) {
    const at = Date.parse(cmd.createdAt);
    if (cmd.kind === 'postmortem-draft' && cmd.postmortemDraft) {
      // A synced postmortem of the incident (drafted by anyone) is the same one: nothing to add.
      const incidentId = cmd.postmortemDraft.incidentId;
      const id = postmortemIdFor(incidentId);
      if (byId.has(id) || incidents.has(incidentId)) continue;
      const src = source(incidentId);
      if (!src) continue;
      byId.set(id, newDraft(src, user, at));
      incidents.add(incidentId);
      pendingIds.add(id);
    } else if (cmd.kind === 'postmortem-edit' && cmd.postmortemEdit) {
      const pm = byId.get(cmd.postmortemEdit.postmortemId);
      if (!pm) continue;
      const r = applyEdit(pm, cmd.postmortemEdit, user, at);
      if (r.ok) byId.set(pm.id, r.postmortem);
      pendingIds.add(pm.id);
    } else if (cmd.kind === 'action-item' && cmd.actionItem) {
      const pm = byId.get(cmd.actionItem.postmortemId);
      if (!pm) continue;
      const r = applyActionItem(pm, cmd.actionItem, cmd.id, user, at);
      if (!r.ok) continue;
      byId.set(pm.id, r.postmortem);
      pendingIds.add(cmd.actionItem.op === 'add' ? cmd.id : cmd.actionItem.itemId);
    }
  }
  const postmortems = [...byId.values()].sort(
    (a, b) => b.incident.firedAt.localeCompare(a.incident.firedAt) || a.id.localeCompare(b.id),
  );
  return { postmortems, pendingIds };
}

/** The week's synced marks with this desktop's queued review marks on top (the last one wins). */
export function overlayMarks(
  synced: readonly ReviewMark[],
  pending: readonly OutboxCommand[],
  week: string,
  user: string,
): (ReviewMark & { pending?: boolean })[] {
  const byKey = new Map<string, ReviewMark & { pending?: boolean }>(synced.map((m) => [m.itemKey, m]));
  for (const cmd of pending) {
    const m = cmd.reviewMark;
    if (cmd.kind !== 'review-mark' || !m || m.week !== week) continue;
    byKey.set(m.itemKey, {
      week: m.week,
      itemKey: m.itemKey,
      reviewed: m.reviewed,
      ...(m.note !== undefined && m.note !== '' ? { note: m.note } : {}),
      by: user,
      at: cmd.createdAt,
      pending: true,
    });
  }
  return [...byKey.values()];
}

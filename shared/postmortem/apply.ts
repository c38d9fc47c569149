import { toIso } from '../clock.js';
import type { Alert } from '../protocol/alert.js';
import type { Incident } from '../protocol/incident.js';
import {
  POSTMORTEM_MAX_ACTION_ITEMS,
  POSTMORTEM_MAX_TITLE,
  type ActionItem,
  type ActionItemRequest,
  type Postmortem,
  type PostmortemEditRequest,
} from './schema.js';
import { truncateText } from '../protocol/bounded-text.js';
import { buildTimeline, type LogMoment } from './timeline.js';

/**
 * The postmortem state machine, pure: the collector applies commands with it (the truth), a
 * desktop applies its queued commands with it on top of what it last synced (drafting offline).
 * A refusal names the field (`actionItem.itemId: …`) like every 4xx.
 */
export type PmResult = { ok: true; postmortem: Postmortem } | { ok: false; conflict?: string; error?: string };

/** What a draft is made from: the incident, its member alerts and its merged log. */
export interface DraftSource {
  incident: Incident;
  alerts: readonly Alert[];
  moments: readonly LogMoment[];
  /** The runbook of the alert type that opened the incident, when one exists. */
  runbookId?: string | undefined;
}

/** The member that fired first opened the incident: its alert type names the runbook. */
export function openingAlert(alerts: readonly Alert[]): Alert | undefined {
  return [...alerts].sort((a, b) => Date.parse(a.firedAt) - Date.parse(b.firedAt) || a.id.localeCompare(b.id))[0];
}

/** Longest postmortem id (the commands' `postmortemId` bound). */
export const POSTMORTEM_ID_MAX = 100;
const POSTMORTEM_ID_PREFIX = 'pm-';
/** Characters of a long incident id kept readable before its hash. */
const LONG_ID_KEPT = 60;

/** FNV-1a 32-bit, hex: a short stable digest (shared/ has no crypto; collisions only matter for absurdly long ids). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * One postmortem per incident, with an id every desktop derives alike (`pm-inc-7`): two desktops
 * drafting the same incident, even both offline, address the same postmortem, so the edits and
 * action items queued on either apply to it. An incident id too long for the bound keeps a
 * readable head plus a digest of the whole.
 */
export function postmortemIdFor(incidentId: string): string {
  const plain = `${POSTMORTEM_ID_PREFIX}${incidentId}`;
  if (plain.length <= POSTMORTEM_ID_MAX) return plain;
  return `${POSTMORTEM_ID_PREFIX}${incidentId.slice(0, LONG_ID_KEPT)}~${fnv1a(incidentId)}`;
}

/** The draft of `src.incident`; its id is `postmortemIdFor(incident id)`. */
export function newDraft(src: DraftSource, actor: string, nowMs: number): Postmortem {
  const i = src.incident;
  const now = toIso(nowMs);
  return {
    id: postmortemIdFor(i.id),
    rev: 0,
    title: truncateText(`Postmortem: ${i.title}`, POSTMORTEM_MAX_TITLE),
    incident: {
      id: i.id,
      title: truncateText(i.title, 1_000),
      tier: i.tier,
      firedAt: i.firedAt,
      ...(i.acknowledgedAt !== undefined ? { acknowledgedAt: i.acknowledgedAt } : {}),
      ...(i.acknowledgedBy !== undefined ? { acknowledgedBy: truncateText(i.acknowledgedBy, 200) } : {}),
      ...(i.mitigatedAt !== undefined ? { mitigatedAt: i.mitigatedAt } : {}),
      ...(i.resolvedAt !== undefined ? { resolvedAt: i.resolvedAt } : {}),
      alertCount: i.alertIds.length,
      ...(src.runbookId !== undefined ? { runbookId: src.runbookId } : {}),
    },
    timeline: buildTimeline(src.moments, src.alerts, i.title),
    sections: { summary: '', impact: '', rootCause: '', wentWell: '', wentBadly: '' },
    actionItems: [],
    createdBy: actor,
    createdAt: now,
    updatedBy: actor,
    updatedAt: now,
  };
}

function touched(pm: Postmortem, actor: string, nowMs: number): Postmortem {
  return { ...pm, updatedBy: actor, updatedAt: toIso(nowMs) };
}

/** One field (title or a section) replaced; the last edit wins. */
export function applyEdit(pm: Postmortem, req: PostmortemEditRequest, actor: string, nowMs: number): PmResult {
  const next =
    req.field === 'title' ? { ...pm, title: req.text } : { ...pm, sections: { ...pm.sections, [req.field]: req.text } };
  return { ok: true, postmortem: touched(next, actor, nowMs) };
}

/** Adds an action item (its id is the command's) or changes the fields an update names. */
export function applyActionItem(
  pm: Postmortem,
  req: ActionItemRequest,
  commandId: string,
  actor: string,
  nowMs: number,
): PmResult {
  const now = toIso(nowMs);
  if (req.op === 'add') {
    if (pm.actionItems.some((a) => a.id === commandId)) return { ok: true, postmortem: pm };
    if (pm.actionItems.length >= POSTMORTEM_MAX_ACTION_ITEMS) {
      return {
        ok: false,
        error: `actionItem: a postmortem holds at most ${POSTMORTEM_MAX_ACTION_ITEMS} action items`,
      };
    }
    const runbookId = req.kind === 'runbook-follow-up' ? (req.runbookId ?? pm.incident.runbookId) : undefined;
    if (req.kind === 'runbook-follow-up' && runbookId === undefined) {
      return {
        ok: false,
        error: 'actionItem.runbookId: a runbook follow-up needs a runbook, and the incident names none',
      };
    }
    const item: ActionItem = {
      id: commandId,
      kind: req.kind,
      text: req.text,
      owner: req.owner,
      due: req.due,
      done: false,
      ...(runbookId !== undefined ? { runbookId } : {}),
      createdBy: actor,
      createdAt: now,
    };
    return { ok: true, postmortem: touched({ ...pm, actionItems: [...pm.actionItems, item] }, actor, nowMs) };
  }
  const current = pm.actionItems.find((a) => a.id === req.itemId);
  if (!current) {
    return { ok: false, conflict: `actionItem.itemId: postmortem ${pm.id} has no action item ${req.itemId}` };
  }
  const changed: ActionItem = {
    ...current,
    ...(req.text !== undefined ? { text: req.text } : {}),
    ...(req.owner !== undefined ? { owner: req.owner } : {}),
    ...(req.due !== undefined ? { due: req.due } : {}),
  };
  if (req.done !== undefined && req.done !== current.done) {
    changed.done = req.done;
    if (req.done) {
      changed.doneAt = now;
      changed.doneBy = actor;
    } else {
      delete changed.doneAt;
      delete changed.doneBy;
    }
  }
  const actionItems = pm.actionItems.map((a) => (a.id === current.id ? changed : a));
  return { ok: true, postmortem: touched({ ...pm, actionItems }, actor, nowMs) };
}

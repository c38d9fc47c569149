import type { Alert, AlertEventKind } from '../protocol/alert.js';
import { truncateText } from '../protocol/bounded-text.js';
import {
  POSTMORTEM_MAX_TIMELINE,
  POSTMORTEM_MAX_TIMELINE_TEXT,
  type PostmortemTimelineEntry,
  type TimelineCategory,
} from './schema.js';

/** One entry of an incident's merged log, as the collector stores it and the desktop caches it. */
export interface LogMoment {
  seq: number;
  /** ISO 8601 or epoch ms. */
  at: string | number;
  /** The member alert it is about; absent: the incident itself. */
  alertId?: string | undefined;
  kind: AlertEventKind;
  actor?: string | undefined;
  note?: string | undefined;
}

/**
 * A member's entry mirroring a command on its incident says "with incident inc-N" (see the
 * collector's memberNote): the incident's own entry tells it once, so the mirrors are dropped.
 */
const MIRROR_PREFIX = 'with incident ';
/** Walked runbook paths are recorded as comments `runbook <id>: 1 → 3 (stop)` (describeWalk). */
const RUNBOOK_PREFIX = 'runbook ';
/** When the log is longer than a draft holds, the last entries (mitigation, resolution) are kept too. */
const KEEP_TAIL = 50;

/** Whole seconds, UTC: "reconstructed to the second". */
export function toSecond(at: string | number): string {
  const ms = typeof at === 'number' ? at : Date.parse(at);
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function categoryOf(m: LogMoment): TimelineCategory {
  switch (m.kind) {
    case 'fired':
    case 'notified':
    case 'acknowledged':
    case 'escalated':
    case 'mitigated':
    case 'resolved':
      return m.kind;
    case 'action-started':
    case 'action-finished':
      return 'remediation';
    case 'commented':
      return m.note?.startsWith(RUNBOOK_PREFIX) ? 'runbook' : 'comment';
    default:
      return 'other';
  }
}

function withNote(head: string, note: string | undefined): string {
  return note !== undefined && note !== '' ? `${head}: ${note}` : head;
}

function textOf(m: LogMoment, category: TimelineCategory, alert: Alert | undefined, incidentTitle: string): string {
  const by = m.actor !== undefined ? ` by ${m.actor}` : '';
  const subject = alert ? `${alert.ruleId} (${alert.summary})` : undefined;
  switch (category) {
    case 'fired':
      return subject ? `Alert fired: ${subject}` : withNote(`Incident opened: ${incidentTitle}`, m.note);
    case 'notified':
      return withNote('Notified', m.note);
    case 'acknowledged':
      return withNote(`Acknowledged${by}`, m.note);
    case 'escalated':
      return withNote(`Escalated${by}`, m.note);
    case 'remediation':
      return withNote(m.kind === 'action-started' ? 'Remediation started' : 'Remediation finished', m.note);
    case 'runbook':
      return `Runbook walked${by}: ${(m.note ?? '').slice(RUNBOOK_PREFIX.length)}`;
    case 'comment':
      return withNote(`Comment${by}`, m.note);
    case 'mitigated':
      return withNote(subject ? `Alert mitigated: ${subject}` : `Mitigated${by}`, m.note);
    case 'resolved':
      return withNote(subject ? `Alert resolved: ${subject}` : `Resolved${by}`, m.note);
    case 'other':
      return withNote(`${m.kind}${by}${subject ? ` — ${subject}` : ''}`, m.note);
  }
}

/**
 * The postmortem timeline of an incident from its merged log (the incident's entries and its
 * members'), in log order, each moment to the second: fired, notified whom, acknowledged,
 * escalated, remediation actions and their results, runbook steps walked, comments, mitigated,
 * resolved. Pure: the collector builds drafts with it from its log, a desktop from its cache.
 */
export function buildTimeline(
  moments: readonly LogMoment[],
  alerts: readonly Alert[],
  incidentTitle: string,
): PostmortemTimelineEntry[] {
  const byId = new Map(alerts.map((a) => [a.id, a]));
  const out: PostmortemTimelineEntry[] = [];
  for (const m of [...moments].sort((a, b) => a.seq - b.seq)) {
    if (m.alertId !== undefined && m.note?.startsWith(MIRROR_PREFIX)) continue;
    // Alerts also log "updated" for every label or summary change: noise in a postmortem.
    if (m.kind === 'updated') continue;
    const category = categoryOf(m);
    const alert = m.alertId !== undefined ? byId.get(m.alertId) : undefined;
    out.push({
      at: toSecond(m.at),
      seq: m.seq,
      kind: m.kind,
      category,
      ...(m.alertId !== undefined ? { alertId: m.alertId } : {}),
      ...(m.actor !== undefined ? { actor: truncateText(m.actor, 200) } : {}),
      text: truncateText(textOf(m, category, alert, incidentTitle), POSTMORTEM_MAX_TIMELINE_TEXT),
    });
  }
  if (out.length <= POSTMORTEM_MAX_TIMELINE) return out;
  return [...out.slice(0, POSTMORTEM_MAX_TIMELINE - KEEP_TAIL), ...out.slice(out.length - KEEP_TAIL)];
}

import type { AlertEventKind, Tier } from '../protocol/alert.js';

/** One incident entry of the collector's log, as the health figures need it. */
export interface HealthLogEntry {
  seq: number;
  atMs: number;
  incidentId: string;
  kind: AlertEventKind;
  actor?: string | undefined;
  note?: string | undefined;
  tier: Tier;
}

/**
 * One page: an incident from its first notification (`notified` / `escalated`) to its
 * resolution. An incident that reopens and rings again is a new page.
 */
export interface Page {
  incidentId: string;
  tier: Tier;
  startMs: number;
  /** Who the first notification went to ("paged: alice (level 1)"); undefined when the note does not say. */
  holder: string | undefined;
  ackMs?: number;
  mitigatedMs?: number;
  resolvedMs?: number;
  escalations: number;
}

/** The escalate stage writes "<why>: <target> (level N)", sometimes followed by " (due <iso>)". */
const TARGET_NOTE = /: (.+) \(level \d+\)(?: \(due [^)]*\))?$/;

export function noteTarget(note: string | undefined): string | undefined {
  return note === undefined ? undefined : TARGET_NOTE.exec(note)?.[1];
}

/**
 * The pages in a log (entries of any incidents, in any order; page-tier incidents only): per incident, in seq order, a
 * notification opens a page when none is open; the first acknowledgement and mitigation in it
 * are its moments; its resolution closes it. Entries outside a page (comments, an ack of an
 * incident that never rang) count for nothing.
 */
export function pagesFromLog(entries: readonly HealthLogEntry[]): Page[] {
  const byIncident = new Map<string, HealthLogEntry[]>();
  for (const e of entries) {
    const list = byIncident.get(e.incidentId);
    if (list) list.push(e);
    else byIncident.set(e.incidentId, [e]);
  }
  const pages: Page[] = [];
  for (const list of byIncident.values()) {
    list.sort((a, b) => a.seq - b.seq);
    let open: Page | undefined;
    for (const e of list) {
      if (e.kind === 'notified' || e.kind === 'escalated') {
        // Only the page tier pages: a ticket notified through an escalation policy is not a page.
        if (open === undefined && e.tier !== 'page') continue;
        if (open === undefined) {
          open = {
            incidentId: e.incidentId,
            tier: e.tier,
            startMs: e.atMs,
            holder: noteTarget(e.note),
            escalations: 0,
          };
          pages.push(open);
        }
        if (e.kind === 'escalated') open.escalations += 1;
        continue;
      }
      if (open === undefined) continue;
      if (e.kind === 'acknowledged' && open.ackMs === undefined) open.ackMs = e.atMs;
      else if (e.kind === 'mitigated' && open.mitigatedMs === undefined) open.mitigatedMs = e.atMs;
      else if (e.kind === 'resolved') {
        open.resolvedMs = e.atMs;
        open = undefined;
      }
    }
  }
  return pages.sort((a, b) => a.startMs - b.startMs || a.incidentId.localeCompare(b.incidentId));
}

import type { Alert, TimelineEntry } from '../../../shared/protocol';

/**
 * One timeline line in plain words: "Acknowledged by alice", "Escalated to bob". The time is
 * rendered separately so the column of times lines up.
 */
export function describeTimelineEntry(entry: TimelineEntry): string {
  const by = entry.actor ? ` by ${entry.actor}` : '';
  switch (entry.kind) {
    case 'fired':
      return 'Fired';
    case 'acknowledged':
      return `Acknowledged${by}`;
    case 'unacknowledged':
      return `Unacknowledged${by}`;
    case 'mitigated':
      return `Marked mitigated${by}`;
    case 'resolved':
      return `Resolved${by}`;
    case 'snoozed':
      return `Snoozed${by}`;
    case 'escalated':
      // The collector escalates on its own clock (no actor) or a person pulls someone in.
      return entry.actor ? `Escalated by ${entry.actor}` : 'Escalated';
    case 'commented':
      return entry.actor ? `Comment from ${entry.actor}` : 'Comment';
    case 'notified':
      // The collector pages on its own clock; who was paged is in the note ("paged: alice (level 1)").
      return 'Notification sent';
    case 'updated':
      return `Updated${by}`;
    case 'action-started':
      return 'Remediation started';
    case 'action-finished':
      return 'Remediation finished';
  }
}

/** Oldest first, by sequence number: the order things happened at the collector. */
export function sortTimeline(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return [...entries].sort((a, b) => a.seq - b.seq);
}

/**
 * In an incident's merged timeline, who an entry is about: the member alert it names
 * ("error-rate · checkout"), or null for the incident's own entries.
 */
export function timelineSubject(
  entry: TimelineEntry,
  members: readonly Pick<Alert, 'id' | 'ruleId' | 'labels'>[],
): string | null {
  if (entry.alertId === undefined) return null;
  const alert = members.find((a) => a.id === entry.alertId);
  if (!alert) return entry.alertId;
  const name = alert.labels.alertname ?? alert.ruleId;
  const where = alert.labels.service ?? alert.labels.provider;
  return where ? `${name} · ${where}` : name;
}

import type { CommandKind, OutboxItem } from '../../../shared/protocol';

/** How a command is named in a sentence: "Ack not applied: …", "Sending snooze…". */
export const COMMAND_NOUN: Record<CommandKind, string> = {
  ack: 'Ack',
  unack: 'Unack',
  mitigate: 'Mitigation',
  resolve: 'Resolve',
  snooze: 'Snooze',
  escalate: 'Escalation',
  comment: 'Comment',
  override: 'Rotation override',
  silence: 'Silence',
  'expire-silence': 'Expiring the silence',
  'remove-override': 'Removing the override',
  pulse: 'Fatigue pulse',
  'postmortem-draft': 'Postmortem draft',
  'postmortem-edit': 'Postmortem edit',
  'action-item': 'Action item',
  'review-mark': 'Review mark',
};

/** What a command acts on: one alert or one incident (commands without a target have neither). */
export type CommandTarget = { alertId: string } | { incidentId: string };

function targets(item: OutboxItem, target: CommandTarget): boolean {
  return 'alertId' in target ? item.alertId === target.alertId : item.incidentId === target.incidentId;
}

/** A stable string for a target (send errors are kept per target). */
export function targetKey(target: CommandTarget): string {
  return 'alertId' in target ? `alert:${target.alertId}` : `incident:${target.incidentId}`;
}

export type OutboxTone = 'pending' | 'conflict' | 'failed';

export interface OutboxNotice {
  id: string;
  tone: OutboxTone;
  text: string;
}

/**
 * What the user should read about one outbox item, or null once it needs no attention (applied).
 * `online` says whether the desktop is connected to the collector, because "queued" means
 * something different offline (it waits for the network) than online (it is about to go).
 */
export function describeOutboxItem(item: OutboxItem, online: boolean): OutboxNotice | null {
  const noun = COMMAND_NOUN[item.kind];
  switch (item.state) {
    case 'applied':
      return null;
    case 'queued':
      return {
        id: item.id,
        tone: 'pending',
        text: online ? `${noun} sending…` : `${noun} queued: will be sent when back online`,
      };
    case 'sent':
      return { id: item.id, tone: 'pending', text: `${noun} sent, waiting for the collector…` };
    case 'conflict':
      return {
        id: item.id,
        tone: 'conflict',
        text: `${noun} not applied: ${item.detail || `the ${item.incidentId !== undefined ? 'incident' : 'alert'} changed meanwhile`}`,
      };
    case 'failed':
      return { id: item.id, tone: 'failed', text: `${noun} failed: ${item.detail || 'unknown error'}` };
  }
}

/** Inserts or replaces an item by id, keeping creation order (the order the outbox sends them). */
export function upsertOutboxItem(items: readonly OutboxItem[], item: OutboxItem): OutboxItem[] {
  const at = items.findIndex((i) => i.id === item.id);
  if (at === -1) {
    return [...items, item].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }
  const next = [...items];
  next[at] = item;
  return next;
}

/** Notices for one alert or incident, oldest first, minus the ones the user dismissed. */
export function noticesFor(
  items: readonly OutboxItem[],
  target: CommandTarget,
  online: boolean,
  dismissed: ReadonlySet<string>,
): OutboxNotice[] {
  const out: OutboxNotice[] = [];
  for (const item of items) {
    if (!targets(item, target) || dismissed.has(item.id)) continue;
    const notice = describeOutboxItem(item, online);
    if (notice) out.push(notice);
  }
  return out;
}

/** Notices for one alert (its own commands, not its incident's). */
export function noticesForAlert(
  items: readonly OutboxItem[],
  alertId: string,
  online: boolean,
  dismissed: ReadonlySet<string>,
): OutboxNotice[] {
  return noticesFor(items, { alertId }, online, dismissed);
}

/** Command kinds still in flight for an alert or incident, so their buttons don't invite a double click. */
export function inFlightKinds(items: readonly OutboxItem[], target: CommandTarget | string): Set<CommandKind> {
  const t: CommandTarget = typeof target === 'string' ? { alertId: target } : target;
  const kinds = new Set<CommandKind>();
  for (const i of items) if (targets(i, t) && (i.state === 'queued' || i.state === 'sent')) kinds.add(i.kind);
  return kinds;
}

import { z } from 'zod';

export const Tier = z.enum(['page', 'ticket', 'review']);
export type Tier = z.infer<typeof Tier>;

export const AlertStatus = z.enum(['pending', 'firing', 'acknowledged', 'snoozed', 'resolved']);
export type AlertStatus = z.infer<typeof AlertStatus>;

export const AlertSource = z.enum(['rules', 'alertmanager', 'events-v2', 'evals']);
export type AlertSource = z.infer<typeof AlertSource>;

const IsoTime = z.iso.datetime({ offset: true });

export const AlertLabels = z
  .object({
    service: z.string().optional(),
    provider: z.string().optional(),
    model: z.string().optional(),
  })
  .catchall(z.string());
export type AlertLabels = z.infer<typeof AlertLabels>;

/**
 * Who holds a page (an incident, since protocol 5) and what happens next. `target` holds it now (level `level`); while it rings
 * unacknowledged and a further level exists, `nextTarget` is paged at `dueAt` (the countdown).
 * Without `nextTarget` nothing escalates on its own and `dueAt` is when the level was taken.
 */
export const Escalation = z.object({
  level: z.number().int().positive(),
  target: z.string(),
  dueAt: IsoTime,
  nextTarget: z.string().optional(),
});
export type Escalation = z.infer<typeof Escalation>;

/** The alert as `GET /v1/alerts` and stream frames carry it. Times are ISO 8601 UTC. */
export const Alert = z.object({
  id: z.string(),
  ruleId: z.string(),
  tier: Tier,
  status: AlertStatus,
  source: AlertSource,
  summary: z.string(),
  labels: AlertLabels,
  runbookId: z.string().optional(),
  firedAt: IsoTime,
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: IsoTime.optional(),
  mitigatedAt: IsoTime.optional(),
  resolvedAt: IsoTime.optional(),
  snoozedUntil: IsoTime.optional(),
  /**
   * The incident it belongs to (issue 12: the unit of paging; escalation lives there). Absent
   * only on alerts stored before incidents existed.
   */
  incidentId: z.string().optional(),
  /** Held quiet by an inhibition rule: the id of the alert inhibiting it. Never notifies on its own. */
  inhibitedBy: z.string().optional(),
  /** Held quiet by a silence: that silence's id. Never notifies. */
  silencedBy: z.string().optional(),
});
export type Alert = z.infer<typeof Alert>;

export const AlertList = z.object({ alerts: z.array(Alert) });
export type AlertList = z.infer<typeof AlertList>;

/** What happened to an alert; one entry of its timeline and of the collector's event log. */
export const AlertEventKind = z.enum([
  'fired',
  'acknowledged',
  'unacknowledged',
  'mitigated',
  'resolved',
  'snoozed',
  'escalated',
  'commented',
  'notified',
  'updated',
  /** Auto-remediation (issue 4): a rule's action started / finished; the note carries the result. */
  'action-started',
  'action-finished',
]);
export type AlertEventKind = z.infer<typeof AlertEventKind>;

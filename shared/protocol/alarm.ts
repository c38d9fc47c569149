import { z } from 'zod';

const IsoTime = z.iso.datetime({ offset: true });

/** One paging incident the desktop's Alarm knows about (one alarm per incident, not per alert). */
export const AlarmPage = z.object({
  incidentId: z.string(),
  /** "openai down · 4 alerts": the incident's title and how many open alerts it holds. */
  summary: z.string(),
  /** Open member alerts. */
  alertCount: z.number().int().nonnegative(),
  level: z.number().int().positive(),
  /** Who holds it now. */
  target: z.string(),
  /** When it escalates next, and to whom (absent: it does not escalate on its own). */
  dueAt: IsoTime.optional(),
  nextTarget: z.string().optional(),
});
export type AlarmPage = z.infer<typeof AlarmPage>;

/**
 * What the Alarm is doing: `ringing` pages are for this user and repeat until acknowledged
 * (loud notification, in-app sound, flashing window); `watching` pages are open for someone else
 * and only shown, until they escalate to this user.
 */
export const AlarmState = z.object({
  user: z.string(),
  ringing: z.array(AlarmPage),
  watching: z.array(AlarmPage),
  /** The earliest escalation deadline among ringing pages (tray countdown). */
  nextDueAt: IsoTime.optional(),
});
export type AlarmState = z.infer<typeof AlarmState>;

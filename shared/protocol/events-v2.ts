import { z } from 'zod';

/**
 * PagerDuty Events API v2 (`POST https://events.pagerduty.com/v2/enqueue`), accepted at
 * `POST /v1/integrations/events-v2` with PagerDuty's semantics and answer shapes.
 */

export const EventsV2Severity = z.enum(['critical', 'error', 'warning', 'info']);
export type EventsV2Severity = z.infer<typeof EventsV2Severity>;

export const EventsV2Payload = z.object({
  summary: z.string().min(1).max(1024),
  source: z.string().min(1).max(1024),
  severity: EventsV2Severity,
  /** ISO 8601; PagerDuty's own example writes `+0000` without a colon, so parse leniently. */
  timestamp: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 timestamp')
    .optional(),
  component: z.string().max(1024).optional(),
  group: z.string().max(1024).optional(),
  class: z.string().max(1024).optional(),
  custom_details: z.unknown().optional(),
});
export type EventsV2Payload = z.infer<typeof EventsV2Payload>;

export const EventsV2Event = z
  .object({
    routing_key: z.string().min(1).max(200),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(255).optional(),
    payload: EventsV2Payload.optional(),
    links: z.array(z.object({ href: z.string(), text: z.string().optional() })).optional(),
    images: z.array(z.object({ src: z.string(), href: z.string().optional(), alt: z.string().optional() })).optional(),
    client: z.string().optional(),
    client_url: z.string().optional(),
  })
  .superRefine((e, ctx) => {
    if (e.event_action === 'trigger' && e.payload === undefined) {
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'payload is required for trigger events' });
    }
    if (e.event_action !== 'trigger' && e.dedup_key === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['dedup_key'],
        message: `dedup_key is required for ${e.event_action} events`,
      });
    }
  });
export type EventsV2Event = z.infer<typeof EventsV2Event>;

/** 202 answer, exactly PagerDuty's. */
export const EventsV2Accepted = z.object({
  status: z.literal('success'),
  message: z.literal('Event processed'),
  dedup_key: z.string(),
});
export type EventsV2Accepted = z.infer<typeof EventsV2Accepted>;

/** 400 answer, exactly PagerDuty's; each error names its field. */
export const EventsV2Invalid = z.object({
  status: z.literal('invalid event'),
  message: z.literal('Event object is invalid'),
  errors: z.array(z.string()),
});
export type EventsV2Invalid = z.infer<typeof EventsV2Invalid>;

import { z } from 'zod';
import { truncatedString, truncateText } from './bounded-text.js';

/**
 * PagerDuty Events API v2 (`POST https://events.pagerduty.com/v2/enqueue`), accepted at
 * `POST /v1/integrations/events-v2` with PagerDuty's semantics and answer shapes.
 */

export const EventsV2Severity = z.enum(['critical', 'error', 'warning', 'info']);
export type EventsV2Severity = z.infer<typeof EventsV2Severity>;

/**
 * Bounds (issue 11). The body itself is at most 512 KB (PagerDuty's limit, enforced by the
 * route); within it, what identifies the alert or names where it comes from (routing_key,
 * dedup_key, source, component, group, class) is REJECTED over its bound with PagerDuty's 400
 * naming the field, since cutting it would change which alert it is. Free text that is stored on
 * the alert (summary, client, link, custom_details) is TRUNCATED with TRUNCATION_MARKER: a page
 * must never be lost because its description was long (PagerDuty itself cuts the summary).
 */
export const EV2_MAX_SUMMARY = 1024;
export const EV2_MAX_NAME = 1024;
export const EV2_MAX_ROUTING_KEY = 200;
export const EV2_MAX_DEDUP_KEY = 255;
export const EV2_MAX_TEXT = 1024;
export const EV2_MAX_URL = 2048;
/** `custom_details` is kept as JSON text in a label, cut beyond this. */
export const EV2_MAX_CUSTOM_DETAILS = 2000;

export const EventsV2Payload = z.object({
  summary: z
    .string()
    .min(1)
    .transform((s) => truncateText(s, EV2_MAX_SUMMARY)),
  source: z.string().min(1).max(EV2_MAX_NAME),
  severity: EventsV2Severity,
  /** ISO 8601; PagerDuty's own example writes `+0000` without a colon, so parse leniently. */
  timestamp: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 timestamp')
    .optional(),
  component: z.string().max(EV2_MAX_NAME).optional(),
  group: z.string().max(EV2_MAX_NAME).optional(),
  class: z.string().max(EV2_MAX_NAME).optional(),
  custom_details: z.unknown().optional(),
});
export type EventsV2Payload = z.infer<typeof EventsV2Payload>;

export const EventsV2Event = z
  .object({
    routing_key: z.string().min(1).max(EV2_MAX_ROUTING_KEY),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: z.string().min(1).max(EV2_MAX_DEDUP_KEY).optional(),
    payload: EventsV2Payload.optional(),
    links: z
      .array(z.object({ href: truncatedString(EV2_MAX_URL), text: truncatedString(EV2_MAX_TEXT).optional() }))
      .optional(),
    images: z.array(z.object({ src: z.string(), href: z.string().optional(), alt: z.string().optional() })).optional(),
    client: truncatedString(EV2_MAX_TEXT).optional(),
    client_url: truncatedString(EV2_MAX_URL).optional(),
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

/** PagerDuty caps one Events API v2 event at 512 KB; Vigil reads no more of one either. */
export const EVENTS_V2_MAX_BYTES = 512 * 1024;

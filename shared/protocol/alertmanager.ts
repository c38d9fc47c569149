import { z } from 'zod';
import { truncatedString, truncateText } from './bounded-text.js';

/**
 * Alertmanager's webhook body, version 4 (prometheus.io/docs/alerting/latest/configuration,
 * `<webhook_config>`). Times are RFC 3339 with up to nanoseconds and any offset; an unset
 * `endsAt` is "0001-01-01T00:00:00Z". Unknown fields are ignored (Grafana adds several).
 */

const Rfc3339 = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an RFC 3339 time');

/**
 * Bounds on what one webhook may carry (issue 11: alerts of 9 MB each made a snapshot frame
 * larger than the desktop accepts). The rule: what identifies or structures an alert (its
 * fingerprint, label names, how many labels, how many alerts) is REJECTED with a 400 naming
 * the field, since no working sender exceeds it and cutting it would change what the alert is;
 * free text (label and annotation values, the generator URL) is TRUNCATED with
 * TRUNCATION_MARKER, because a page must never be lost for a long description. The largest
 * alert this admits keeps about MAX_LABELS × (MAX_LABEL_NAME + MAX_LABEL_VALUE) of labels.
 */
export const AM_MAX_ALERTS = 10_000;
/** Labels (or annotations) per alert; Prometheus alerts carry tens. */
export const AM_MAX_LABELS = 128;
export const AM_MAX_LABEL_NAME = 256;
/** Label values are stored on the alert and shown in lists: cut beyond this. */
export const AM_MAX_LABEL_VALUE = 1024;
/** Annotations are read for the summary (cut to the alert's summary bound) and runbook_url. */
export const AM_MAX_ANNOTATION_VALUE = 16 * 1024;
export const AM_MAX_URL = 2048;
export const AM_MAX_FINGERPRINT = 200;

/** A label/annotation map: count and name lengths rejected over their bound, values truncated. */
function boundedMap(what: 'labels' | 'annotations', maxValue: number) {
  return z
    .record(z.string(), z.string())
    .superRefine((m, ctx) => {
      const names = Object.keys(m);
      if (names.length > AM_MAX_LABELS) {
        ctx.addIssue({ code: 'custom', message: `at most ${AM_MAX_LABELS} ${what} (got ${names.length})` });
      }
      const long = names.find((n) => n.length > AM_MAX_LABEL_NAME);
      if (long !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${what} names are at most ${AM_MAX_LABEL_NAME} characters (got one of ${long.length}: "${truncateText(long, 40)}")`,
        });
      }
    })
    .transform((m) => {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(m)) out[k] = truncateText(v, maxValue);
      return out;
    });
}
const Labels = boundedMap('labels', AM_MAX_LABEL_VALUE);
const Annotations = boundedMap('annotations', AM_MAX_ANNOTATION_VALUE);

export const AlertmanagerAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: Labels,
  annotations: Annotations.default({}),
  startsAt: Rfc3339,
  endsAt: Rfc3339.optional(),
  generatorURL: truncatedString(AM_MAX_URL).optional(),
  fingerprint: z.string().min(1).max(AM_MAX_FINGERPRINT),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

export const AlertmanagerWebhook = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  // Unions/subsets of the alerts' own maps, so the same bounds hold for every working sender.
  groupLabels: Labels.default({}),
  commonLabels: Labels.default({}),
  commonAnnotations: Annotations.default({}),
  externalURL: truncatedString(AM_MAX_URL).optional(),
  alerts: z.array(AlertmanagerAlert).max(AM_MAX_ALERTS),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

export const AlertmanagerAccepted = z.object({
  fired: z.number().int().nonnegative(),
  resolved: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
});
export type AlertmanagerAccepted = z.infer<typeof AlertmanagerAccepted>;

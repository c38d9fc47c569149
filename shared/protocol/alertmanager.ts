import { z } from 'zod';

/**
 * Alertmanager's webhook body, version 4 (prometheus.io/docs/alerting/latest/configuration,
 * `<webhook_config>`). Times are RFC 3339 with up to nanoseconds and any offset; an unset
 * `endsAt` is "0001-01-01T00:00:00Z". Unknown fields are ignored (Grafana adds several).
 */

const Rfc3339 = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an RFC 3339 time');
const StringMap = z.record(z.string(), z.string());

export const AlertmanagerAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: StringMap,
  annotations: StringMap.default({}),
  startsAt: Rfc3339,
  endsAt: Rfc3339.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().min(1).max(200),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

export const AlertmanagerWebhook = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupLabels: StringMap.default({}),
  commonLabels: StringMap.default({}),
  commonAnnotations: StringMap.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(AlertmanagerAlert).max(10_000),
});
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

export const AlertmanagerAccepted = z.object({
  fired: z.number().int().nonnegative(),
  resolved: z.number().int().nonnegative(),
  unchanged: z.number().int().nonnegative(),
});
export type AlertmanagerAccepted = z.infer<typeof AlertmanagerAccepted>;
